package model

// State is the live state of one project's Pub/Sub resources: what
// internal/live reads, what plan diffs a configuration against and what
// export writes as a configuration. It is the one live-state type.
//
// It is read-only once read: to keep the state of tens of thousands of
// resources small, resources with the same labels share one label map, and
// policies share their role and member strings. Copy before changing.
type State struct {
	Project string
	// Schemas, sorted by name, with their definition, type and revision.
	Schemas []*Schema
	// Topics, sorted by name; Addr is {KindTopic, Name: id}.
	Topics []*Topic
	// Subscriptions, sorted by name. Topic is a full name, or
	// "_deleted-topic_" once the topic was deleted.
	Subscriptions []*Subscription
	// Policies maps the full name of a resource whose IAM policy was read
	// to that policy. A nil map means no policy was read; a resource
	// without an entry has no policy that was read (it was not selected,
	// or it was deleted while the state was read).
	Policies map[string]*Policy
	// IAMSupported is false when the target answered Unimplemented for IAM
	// (the official emulator, bare pstest): a warning, never an error.
	IAMSupported bool
}

// Resources returns every live resource: schemas, topics, subscriptions.
func (s *State) Resources() []Resource { return resources(s.Schemas, s.Topics, s.Subscriptions) }
