// Package transform runs Pub/Sub single message transforms (SMTs) locally:
// JavaScript UDFs, in an embedded JavaScript engine (goja), with the
// semantics Pub/Sub documents for them. The embedded emulator runs a
// topic's transforms on publish and a subscription's on delivery, and
// `pubsubctl transform test` and `validate` use it offline. It does not
// depend on the model package: callers hand it plain values.
//
// A UDF is `function NAME(message, metadata)`. message is
// {data: string, attributes: {string: string}}; metadata holds message_id,
// publish_time (YYYY-MM-DDTHH:MM:SSZ) and ordering_key when the message
// has them. The function returns the new message ({data: string,
// attributes: {...}}; attributes left out or empty means none) or null to
// filter the message out. A thrown error, a value of another shape or
// running out of the time bound is a transformation failure.
//
// Bounds: each call runs in a fresh runtime and is interrupted after
// Limits.Timeout. goja has no hard memory limit, so memory is bounded
// indirectly: by the time bound, by the sizes of what goes in and comes out
// (Limits.MaxData, MaxAttributes), and by a watcher that interrupts a call
// while the process's heap has grown by more than Limits.MaxHeapGrowth
// since the call began (a soft bound: one huge allocation, such as
// "x".repeat(1e9), happens before the watcher can see it).
package transform
