// Foreign-client interop check: drives the embedded emulator (started and
// seeded by interop/seed) with the official Node.js client
// @google-cloud/pubsub v5, through PUBSUB_EMULATOR_HOST.
//
// It creates nothing itself. It checks that the seeded topics and
// subscriptions are listed, publishes a message with attributes and an
// ordering key, receives it and checks both, then nacks it until, after 5
// delivery attempts, it shows up on the dead-letter subscription.
// Prints a PASS line per check; exits non-zero on the first failure.

import { createRequire } from 'node:module';

// Never look for a GCE metadata server (google-auth-library would probe
// 169.254.169.254): nothing here may leave loopback.
process.env.METADATA_SERVER_DETECTION = 'none';
process.env.GCE_METADATA_HOST = '127.0.0.1:9';
process.env.GCE_METADATA_IP = '127.0.0.1:9';

const require = createRequire(new URL('./node/package.json', import.meta.url));
const { PubSub } = require('@google-cloud/pubsub');

const projectId = process.env.PUBSUB_PROJECT_ID || 'interop-project';
if (!process.env.PUBSUB_EMULATOR_HOST) {
  console.error('FAIL PUBSUB_EMULATOR_HOST is not set');
  process.exit(2);
}

const TIMEOUT_MS = 60_000;
const MAX_ATTEMPTS = 5;

function fail(msg) {
  console.error(`FAIL ${msg}`);
  process.exit(1);
}

function pass(msg) {
  console.log(`PASS ${msg}`);
}

const watchdog = setTimeout(() => fail(`timed out after ${TIMEOUT_MS} ms`), TIMEOUT_MS);

const pubsub = new PubSub({ projectId });
const p = `projects/${projectId}`;

async function main() {
  // 1. The seeded resources are listed.
  const [topics] = await pubsub.getTopics();
  const topicNames = topics.map((t) => t.name);
  for (const want of [`${p}/topics/interop-topic`, `${p}/topics/interop-dlq`]) {
    if (!topicNames.includes(want)) fail(`topic ${want} not listed (got ${topicNames.join(', ')})`);
  }
  pass(`list topics: ${topicNames.length} topics, seeded ones present`);

  const [subs] = await pubsub.getSubscriptions();
  const subNames = subs.map((s) => s.name);
  for (const want of [`${p}/subscriptions/interop-sub`, `${p}/subscriptions/interop-dlq-sub`]) {
    if (!subNames.includes(want)) fail(`subscription ${want} not listed (got ${subNames.join(', ')})`);
  }
  const [meta] = await pubsub.subscription('interop-sub').getMetadata();
  if (!meta.enableMessageOrdering) fail('interop-sub: enableMessageOrdering is not set');
  if (meta.deadLetterPolicy?.maxDeliveryAttempts !== MAX_ATTEMPTS ||
      meta.deadLetterPolicy?.deadLetterTopic !== `${p}/topics/interop-dlq`) {
    fail(`interop-sub: unexpected dead letter policy ${JSON.stringify(meta.deadLetterPolicy)}`);
  }
  pass(`list subscriptions: ${subNames.length} subscriptions, seeded ones present with ordering and dead-letter policy`);

  // 2. Publish with attributes and an ordering key.
  const topic = pubsub.topic('interop-topic', { messageOrdering: true });
  const attributes = { origin: 'node', run: String(process.pid) };
  const orderingKey = 'interop-key';
  const messageId = await topic.publishMessage({ data: Buffer.from('hello from node'), attributes, orderingKey });
  pass(`publish: message ${messageId} with attributes and ordering key`);

  // 3. Receive it, check it, and nack it until it is dead-lettered.
  const deliveries = [];
  const dlqMessage = await new Promise((resolve, reject) => {
    const sub = pubsub.subscription('interop-sub');
    const dlqSub = pubsub.subscription('interop-dlq-sub');
    const done = async (value, err) => {
      sub.removeAllListeners('message');
      dlqSub.removeAllListeners('message');
      await Promise.all([sub.close(), dlqSub.close()]);
      if (err) reject(err); else resolve(value);
    };
    sub.on('error', (err) => done(null, err));
    dlqSub.on('error', (err) => done(null, err));
    sub.on('message', (m) => {
      if (m.id !== messageId) {
        m.ack();
        return;
      }
      if (deliveries.length === 0) {
        if (m.data.toString() !== 'hello from node') return done(null, new Error(`data ${m.data}`));
        for (const [k, v] of Object.entries(attributes)) {
          if (m.attributes[k] !== v) return done(null, new Error(`attribute ${k}=${m.attributes[k]}, want ${v}`));
        }
        if (m.orderingKey !== orderingKey) return done(null, new Error(`ordering key ${m.orderingKey}, want ${orderingKey}`));
        pass(`pull: received ${m.id} with attributes ${JSON.stringify(m.attributes)} and ordering key ${m.orderingKey}`);
      }
      deliveries.push(m.deliveryAttempt);
      m.nack();
    });
    dlqSub.on('message', (m) => {
      m.ack();
      if (m.data.toString() === 'hello from node' && m.attributes.run === attributes.run) done(m);
    });
  });
  if (deliveries.length !== MAX_ATTEMPTS) {
    fail(`message was delivered ${deliveries.length} times before dead-lettering, want ${MAX_ATTEMPTS} (attempts ${deliveries})`);
  }
  const want = Array.from({ length: MAX_ATTEMPTS }, (_, i) => i + 1).join(',');
  if (deliveries.join(',') !== want) fail(`delivery attempts ${deliveries}, want ${want}`);
  pass(`dead letter: nacked ${deliveries.length} times (delivery attempts ${deliveries}), then received on interop-dlq-sub with attributes ${JSON.stringify(dlqMessage.attributes)}`);
}

main()
  .then(async () => {
    clearTimeout(watchdog);
    await pubsub.close();
    console.log('PASS all interop checks');
    process.exit(0);
  })
  .catch((err) => fail(err?.stack || String(err)));
