// Package schemacheck compiles Pub/Sub schema definitions offline and
// validates messages against them the way Pub/Sub does on publish.
//
// Avro definitions are parsed with github.com/hamba/avro/v2 (after a JSON
// syntax check that locates the error), Protocol Buffer definitions are
// compiled with github.com/bufbuild/protocompile under the rules Pub/Sub
// documents for schemas (pubsub/docs/schemas): proto2 or proto3, no
// imports, and exactly one top-level type, a message.
//
// A problem carries the line and column inside the definition when the
// library reports one, so that callers can map it into the HCL file or the
// schema file the definition came from.
package schemacheck
