package model

import "time"

// subscription checks a subscription's topic, ack deadline, retention,
// expiration, retry policy and dead-lettering, then its delivery and filter.
func (v *validator) subscription(s *Subscription) {
	m := &s.Meta
	switch {
	case s.DerivedFrom != nil:
		// pubsubctl's own dead-letter subscription: its name is checked
		// with its origin's.
	case s.Topic == "":
		v.errorf(m.Range("topic"), "Missing topic",
			"%s must name the topic it reads: topic = topic.NAME, or the full name projects/PROJECT/topics/TOPIC of a topic outside this configuration.", describe(s))
	case !v.declared(KindTopic, s.Topic):
		if _, id, ok := SplitName(s.Topic, KindTopic); !ok || IDProblem(id) != "" {
			v.errorf(m.Range("topic"), "Invalid topic reference",
				"%q is not a topic name. Refer to a topic of this configuration (topic = topic.orders) or give the full name projects/PROJECT/topics/TOPIC.", s.Topic)
		}
	}

	ad := SubAckDeadline
	if d := s.AckDeadline; d != 0 || m.IsSet(ad.Name) {
		switch {
		case d < ad.Min || d > ad.Max:
			v.fieldError(s, ad.Name, "Invalid ack deadline",
				"The ack deadline must be between 10s and 600s (10m); got %s.", FormatDuration(d))
		case d%time.Second != 0:
			v.fieldError(s, ad.Name, "Invalid ack deadline",
				"The ack deadline must be a whole number of seconds; got %s.", FormatDuration(d))
		}
	}

	retention := s.MessageRetention
	mr := SubMessageRetention
	if d := s.MessageRetention; d != 0 || m.IsSet(mr.Name) {
		if d < mr.Min || d > mr.Max {
			v.fieldError(s, mr.Name, "Invalid message retention",
				"Subscription message retention must be between 10m and 31d; got %s.", FormatDuration(d))
		}
	}
	if retention == 0 {
		retention = DefaultSubscriptionRetention
	}

	if e := s.Expiration; !e.Never && (e.TTL != 0 || m.IsSet("expiration")) {
		switch {
		case e.TTL < SubExpiration.Min:
			v.fieldError(s, "expiration", "Invalid expiration",
				"A subscription's expiration must be \"never\" or at least 1d; got %s. It is how long the subscription may stay idle before Pub/Sub deletes it.", FormatDuration(e.TTL))
		case e.TTL < retention:
			v.fieldError(s, "expiration", "Expiration shorter than message retention",
				"The expiration (%s) must be at least as long as the message retention (%s); Pub/Sub rejects a subscription that could be deleted while it still retains messages. Raise expiration, lower message_retention, or use expiration = \"never\".",
				FormatDuration(e.TTL), FormatDuration(retention))
		case e.TTL > SubExpiration.Max:
			v.warnOn(s, m.Range("expiration"), "Long expiration",
				"The expiration (%s) is longer than 365d, the largest value Pub/Sub is known to accept. Use expiration = \"never\" for a subscription that should not expire.",
				FormatDuration(e.TTL))
		}
	}

	if rp := s.RetryPolicy; rp != nil {
		okMin, okMax := true, true
		if rp.MinimumBackoff > SubMinimumBackoff.Max {
			okMin = false
			v.fieldError(s, "retry_policy.minimum_backoff", "Invalid minimum backoff",
				"minimum_backoff must be between 0s and 600s (10m); got %s.", FormatDuration(rp.MinimumBackoff))
		}
		if rp.MaximumBackoff > SubMaximumBackoff.Max {
			okMax = false
			v.fieldError(s, "retry_policy.maximum_backoff", "Invalid maximum backoff",
				"maximum_backoff must be between 0s and 600s (10m); got %s.", FormatDuration(rp.MaximumBackoff))
		}
		if okMin && okMax && rp.MaximumBackoff != 0 && rp.MinimumBackoff > rp.MaximumBackoff {
			path := "retry_policy.minimum_backoff"
			if !m.IsSet(path) || m.Source(path) == SourceBuiltin {
				path = "retry_policy.maximum_backoff"
			}
			v.fieldError(s, path, "Minimum backoff exceeds maximum backoff",
				"The retry policy's minimum_backoff (%s) must not be greater than its maximum_backoff (%s).",
				FormatDuration(rp.MinimumBackoff), FormatDuration(rp.MaximumBackoff))
		}
	}

	if dl := s.DeadLetter; dl != nil {
		if n := dl.MaxDeliveryAttempts; n != 0 || m.IsSet("dead_letter.max_delivery_attempts") {
			if f := SubMaxDeliveryAttempts; int64(n) < f.MinCount || int64(n) > f.MaxCount {
				v.fieldError(s, "dead_letter.max_delivery_attempts", "Invalid max delivery attempts",
					"max_delivery_attempts must be between 5 and 100; got %d.", n)
			}
		}
		if dl.Topic != "" && m.Source("dead_letter.topic") != SourceBuiltin {
			if _, id, ok := SplitName(dl.Topic, KindTopic); !v.declared(KindTopic, dl.Topic) && (!ok || IDProblem(id) != "") {
				v.errorf(m.Range("dead_letter.topic"), "Invalid dead-letter topic",
					"%q is not a topic name. Refer to a topic of this configuration (topic = topic.failed) or give the full name projects/PROJECT/topics/TOPIC; leave it unset and pubsubctl creates %q.",
					dl.Topic, DeadLetterName(s.Name))
			} else if dl.Topic == s.Topic {
				v.warnOn(s, m.Range("dead_letter.topic"), "Dead-letter topic is the subscription's topic",
					"%s dead-letters to the topic it reads from, so undeliverable messages are published back to every subscription of that topic, including this one, and loop. Use a separate dead-letter topic, or leave dead_letter.topic unset and pubsubctl creates %q.",
					describe(s), DeadLetterName(s.Name))
			}
		}
	}
	if s.DeadLetterOptOut != nil && s.DeadLetterOptOut.Reason == "" && s.DerivedFrom == nil {
		detail := "%s has no dead-letter topic, so a message that can never be processed (a poison message) is redelivered until the message retention runs out, taking delivery attempts away from good messages (and blocking its ordering key). If that is intended, record why: dead_letter { enabled = false  reason = \"...\" }."
		if m.Source("dead_letter") == SourceDefaults {
			detail += " Dead-lettering is disabled by the defaults block."
		}
		v.warnOn(s, m.Range("dead_letter"), "Dead-lettering disabled", detail, describe(s))
	}

	v.delivery(s)
	v.filter(s)
	v.subscriptionFeatures(s)
}
