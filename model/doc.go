// Package model owns the typed desired and live state that every other package
// speaks: Config, Topic, Subscription, Schema, IAM bindings, addresses,
// durations, value provenance (and which values are sensitive), the one
// live-state type (State), the field table (Fields: each Pub/Sub field's
// name, update mask, mutability, bounds, Pub/Sub's and pubsubctl's
// defaults), pubsubctl's safe built-in defaults and the network-free
// validation rules. It contains no protobuf types and makes no network
// calls.
package model
