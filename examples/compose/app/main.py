"""The application of the compose example: a worker that publishes an order
to the topic "orders" every few seconds and prints what its subscription,
"orders-worker", receives.

Nothing here knows about the emulator: google-cloud-pubsub connects to it,
without credentials, because compose.yaml sets PUBSUB_EMULATOR_HOST (and
PUBSUB_PROJECT_ID, the project of config/main.hcl).
"""

import os
import time

from google.cloud import pubsub_v1

PROJECT = os.environ["PUBSUB_PROJECT_ID"]
EVERY_SECONDS = float(os.environ.get("PUBLISH_EVERY_SECONDS", "5"))


def received(message):
    print(f"received {message.data.decode()!r} attributes={dict(message.attributes)}", flush=True)
    message.ack()


def main():
    publisher = pubsub_v1.PublisherClient()
    subscriber = pubsub_v1.SubscriberClient()
    topic = publisher.topic_path(PROJECT, "orders")
    subscription = subscriber.subscription_path(PROJECT, "orders-worker")
    streaming = subscriber.subscribe(subscription, callback=received)
    print(f"listening on {subscription} via {os.environ['PUBSUB_EMULATOR_HOST']}", flush=True)
    n = 0
    try:
        while True:
            n += 1
            publisher.publish(topic, f"order {n}".encode(), kind="created").result(timeout=30)
            print(f"published order {n}", flush=True)
            time.sleep(EVERY_SECONDS)
    finally:
        streaming.cancel()


if __name__ == "__main__":
    main()
