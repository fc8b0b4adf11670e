// Package model owns the typed desired and live state that every other package
// speaks: Config, Topic, Subscription, Schema, IAM bindings, addresses,
// durations, value provenance, pubsubctl's safe built-in defaults and the
// network-free validation rules. It contains no protobuf types and makes no
// network calls.
package model
