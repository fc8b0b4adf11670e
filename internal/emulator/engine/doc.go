// Package engine is the embedded emulator's Pub/Sub state machine:
// topics, subscriptions, messages and schemas, served as the Publisher,
// Subscriber and SchemaService gRPC services. It began as a copy of
// cloud.google.com/go/pubsub/v2/pstest (Apache License 2.0; the files
// derived from it keep its notice) and was reworked:
//
//   - delivery is event-driven: a publish, an acknowledgement, a negative
//     acknowledgement, a deadline change or a subscription's one timer
//     (armed for its next ack-deadline expiry or backoff end) delivers for
//     exactly the subscriptions concerned; an idle engine runs nothing,
//     whatever the number of subscriptions (pstest polled each one every
//     10 ms under the server lock);
//   - topics and subscriptions are kept in sorted name indexes, so that
//     creating one is cheap and listing a project pages without sorting or
//     copying everything; stored protos are copy-on-write, so that reads
//     hand them out without cloning;
//   - a nacked or expired message waits the retry policy's exponential
//     backoff (minimum_backoff doubling up to maximum_backoff) before it is
//     redelivered; without a retry policy it is available at once;
//   - push subscriptions are delivered by HTTP POST (push.go), wrapped or
//     unwrapped, with an OIDC token when configured, on a bounded pool of
//     workers that exists only while there are pushes to make;
//   - dead-lettering counts delivery attempts per subscription and adds the
//     service's CloudPubSubDeadLetterSource* attributes; ordering keys
//     deliver one message of a key at a time, in publish order, for pull,
//     streaming pull and push alike.
//
// Request validation and the service's exact answers are not here: the
// conformance layer of package emulator checks requests before they reach
// the engine.
package engine
