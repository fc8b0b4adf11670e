package model

import (
	"sort"
	"time"
)

// Defaults is the configuration's defaults block: values applied to every
// resource that does not set them itself.
type Defaults struct {
	Subscription SubscriptionDefaults
	Topic        TopicDefaults
	Meta         Meta
}

// SubscriptionDefaults are defaults for subscriptions. Nil means "not set by
// the defaults block".
type SubscriptionDefaults struct {
	AckDeadline         *time.Duration
	MessageRetention    *time.Duration
	RetainAckedMessages *bool
	Expiration          *Expiration
	RetryPolicy         *RetryPolicy // fields left 0 fall back to built-ins
	RetryPolicyOff      bool         // retry_policy = false
	DeadLetterOff       *OptOut      // dead_letter = false
	MaxDeliveryAttempts *int
	Labels              map[string]string
}

// TopicDefaults are defaults for topics.
type TopicDefaults struct {
	MessageRetention *time.Duration
	Labels           map[string]string
}

// ApplyDefaults fills every field the configuration left unset, first from
// the defaults block (d may be nil), then from pubsubctl's built-in safe
// defaults, recording provenance. It then materializes the dead-letter topic
// and subscription of every subscription that dead-letters without naming a
// topic, adds the ownership labels, and, when the project number is known,
// the dead-letter grants of the Pub/Sub service agent.
func ApplyDefaults(c *Config, d *Defaults) {
	if d == nil {
		d = &Defaults{}
	}
	sd := d.Subscription
	for _, t := range c.Topics {
		m := &t.Meta
		if td := d.Topic.MessageRetention; !m.IsSet(TopicMessageRetention.Name) && td != nil {
			t.MessageRetention = *td
			m.Set(TopicMessageRetention.Name, SourceDefaults, nil)
		}
		t.Labels = mergeLabels(t.Labels, d.Topic.Labels, m)
	}
	var derivedTopics []*Topic
	var derivedSubs []*Subscription
	for _, s := range c.Subscriptions {
		m := &s.Meta
		setDefault(m, SubAckDeadline.Name, &s.AckDeadline, sd.AckDeadline, SubAckDeadline.Default)
		setDefault(m, SubMessageRetention.Name, &s.MessageRetention, sd.MessageRetention, SubMessageRetention.Default)
		if !m.IsSet("retain_acked_messages") && sd.RetainAckedMessages != nil {
			s.RetainAckedMessages = *sd.RetainAckedMessages
			m.Set("retain_acked_messages", SourceDefaults, nil)
		}
		setDefault(m, "expiration", &s.Expiration, sd.Expiration, Expiration{Never: true})
		applyRetryDefaults(s, sd)
		applyDeadLetterDefaults(c, s, sd)
		s.Labels = mergeLabels(s.Labels, sd.Labels, m)
		if s.DeadLetter != nil && !m.IsSet("dead_letter.topic") {
			t, sub := deadLetterResources(c, s)
			derivedTopics = append(derivedTopics, t)
			derivedSubs = append(derivedSubs, sub)
			s.DeadLetter.Topic = FullName(c.Project, KindTopic, t.Name)
			m.Set("dead_letter.topic", SourceBuiltin, nil)
		}
	}
	c.Topics = append(c.Topics, derivedTopics...)
	c.Subscriptions = append(c.Subscriptions, derivedSubs...)
	for _, r := range c.Resources() {
		if l := ensureLabels(r); l != nil {
			setOwnership(l, c.Stack, r.Metadata())
		}
	}
}

// ensureLabels returns the labels of a topic or subscription, making the
// map when there is none (nil for a schema, which has no labels).
func ensureLabels(r Resource) map[string]string {
	switch r := r.(type) {
	case *Topic:
		if r.Labels == nil {
			r.Labels = map[string]string{}
		}
	case *Subscription:
		if r.Labels == nil {
			r.Labels = map[string]string{}
		}
	}
	return LabelsOf(r)
}

func setOwnership(l map[string]string, stack string, m *Meta) {
	l[LabelManagedBy] = ManagedByValue
	m.Set("labels."+LabelManagedBy, SourceBuiltin, nil)
	if stack != "" {
		l[LabelStack] = stack
		m.Set("labels."+LabelStack, SourceBuiltin, nil)
	}
}

func mergeLabels(own, defaults map[string]string, m *Meta) map[string]string {
	if len(defaults) == 0 {
		return own
	}
	if own == nil {
		own = map[string]string{}
	}
	keys := make([]string, 0, len(defaults))
	for k := range defaults {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if _, ok := own[k]; !ok {
			own[k] = defaults[k]
			m.Set("labels."+k, SourceDefaults, nil)
		}
	}
	return own
}

func applyRetryDefaults(s *Subscription, sd SubscriptionDefaults) {
	m := &s.Meta
	if !m.IsSet("retry_policy") {
		switch {
		case sd.RetryPolicyOff:
			m.Set("retry_policy", SourceDefaults, nil)
			return
		case sd.RetryPolicy != nil:
			s.RetryPolicy = &RetryPolicy{}
			m.Set("retry_policy", SourceDefaults, nil)
		default:
			s.RetryPolicy = &RetryPolicy{}
			m.Set("retry_policy", SourceBuiltin, nil)
		}
	}
	if s.RetryPolicy == nil {
		return
	}
	var minBackoff, maxBackoff *time.Duration
	if rp := sd.RetryPolicy; rp != nil {
		minBackoff, maxBackoff = nonZero(rp.MinimumBackoff), nonZero(rp.MaximumBackoff)
	}
	setDefault(m, "retry_policy.minimum_backoff", &s.RetryPolicy.MinimumBackoff, minBackoff, DefaultMinimumBackoff)
	setDefault(m, "retry_policy.maximum_backoff", &s.RetryPolicy.MaximumBackoff, maxBackoff, DefaultMaximumBackoff)
}

func applyDeadLetterDefaults(c *Config, s *Subscription, sd SubscriptionDefaults) {
	m := &s.Meta
	if !m.IsSet("dead_letter") {
		if sd.DeadLetterOff != nil {
			s.DeadLetterOptOut = sd.DeadLetterOff
			m.Set("dead_letter", SourceDefaults, nil)
			return
		}
		s.DeadLetter = &DeadLetter{}
		m.Set("dead_letter", SourceBuiltin, nil)
	}
	if s.DeadLetter == nil {
		return
	}
	setDefault(m, "dead_letter.max_delivery_attempts", &s.DeadLetter.MaxDeliveryAttempts, sd.MaxDeliveryAttempts, DefaultMaxDeliveryAttempts)
}

// setDefault fills the field at path when the configuration left it unset:
// with *fromDefaults when the defaults block sets it, else with builtin.
// The provenance says which.
func setDefault[T any](m *Meta, path string, dst *T, fromDefaults *T, builtin T) {
	if m.IsSet(path) {
		return
	}
	if fromDefaults != nil {
		*dst = *fromDefaults
		m.Set(path, SourceDefaults, nil)
		return
	}
	*dst = builtin
	m.Set(path, SourceBuiltin, nil)
}

// nonZero is &v, or nil for the zero value (a defaults field left unset).
func nonZero[T comparable](v T) *T {
	var zero T
	if v == zero {
		return nil
	}
	return &v
}

// DeadLetterName returns the name of the dead-letter topic and subscription
// pubsubctl materializes for a subscription.
func DeadLetterName(sub string) string { return sub + DeadLetterSuffix }

// deadLetterResources builds the dead-letter topic and its pull
// subscription for s.
func deadLetterResources(c *Config, s *Subscription) (*Topic, *Subscription) {
	name := DeadLetterName(s.Name)
	origin := s.Addr
	t := &Topic{
		Addr:        Address{Kind: KindTopic, Name: name},
		Name:        name,
		Labels:      map[string]string{},
		Lifecycle:   s.Lifecycle,
		DerivedFrom: &origin,
		Meta:        Meta{DeclRange: s.Meta.DeclRange},
	}
	sub := &Subscription{
		Addr:             Address{Kind: KindSubscription, Name: name},
		Name:             name,
		Topic:            FullName(c.Project, KindTopic, name),
		AckDeadline:      DefaultAckDeadline,
		MessageRetention: DeadLetterSubscriptionRetention,
		Expiration:       Expiration{Never: true},
		DeadLetterOptOut: &OptOut{Reason: "dead-letter subscription of " + origin.String()},
		Labels:           map[string]string{},
		Lifecycle:        s.Lifecycle,
		DerivedFrom:      &origin,
		Meta:             Meta{DeclRange: s.Meta.DeclRange},
	}
	for _, f := range []*Field{SubTopic, SubAckDeadline, SubMessageRetention, SubExpiration, SubDeadLetter} {
		sub.Meta.Set(f.Name, SourceBuiltin, nil)
	}
	return t, sub
}

// ExternalBinding is IAM pubsubctl must grant on a resource that the
// configuration does not declare, such as a dead-letter topic in another
// project.
type ExternalBinding struct {
	Kind     Kind
	Resource string // full name
	IAM      IAM
}
