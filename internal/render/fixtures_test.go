package render

import (
	"time"

	"github.com/pubsubctl/pubsubctl/iam"
	"github.com/pubsubctl/pubsubctl/model"
	"github.com/pubsubctl/pubsubctl/plan"
)

// Hand-built plans, shaped the way plan.Compute builds them (creates carry
// plan.Values, changes are in plan.Order's order), covering every kind of
// change the renderers show.

const (
	project = "demo-project"
	agent   = "serviceAccount:service-1234@gcp-sa-pubsub.iam.gserviceaccount.com"
)

func addr(k model.Kind, name string) model.Address { return model.Address{Kind: k, Name: name} }

func addrp(k model.Kind, name string) *model.Address { a := addr(k, name); return &a }

func topicName(id string) string { return model.FullName(project, model.KindTopic, id) }

func subName(id string) string { return model.FullName(project, model.KindSubscription, id) }

// meta builds a Meta from path, source pairs.
func meta(pairs ...any) model.Meta {
	var m model.Meta
	for i := 0; i < len(pairs); i += 2 {
		m.Set(pairs[i].(string), pairs[i+1].(model.Source), nil)
	}
	return m
}

func ownership() map[string]string {
	return map[string]string{model.LabelManagedBy: model.ManagedByValue, model.LabelStack: "shop"}
}

func withLabels(extra map[string]string) map[string]string {
	l := ownership()
	for k, v := range extra {
		l[k] = v
	}
	return l
}

var ownershipMeta = []any{"labels." + model.LabelManagedBy, model.SourceBuiltin, "labels." + model.LabelStack, model.SourceBuiltin}

func metaWithOwnership(pairs ...any) model.Meta { return meta(append(pairs, ownershipMeta...)...) }

func create(r model.Resource, derived *model.Address) plan.Change {
	return plan.Change{
		Address:     r.Address(),
		Kind:        r.Address().Kind,
		ID:          r.ID(),
		Name:        model.FullName(project, r.Address().Kind, r.ID()),
		Action:      plan.ActionCreate,
		After:       plan.Wrap(r),
		Fields:      plan.Values(project, r),
		DerivedFrom: derived,
	}
}

// dlqTopic and dlqSub are the dead-letter resources pubsubctl materializes
// for subscription.orders-billing.
func dlqTopic() *model.Topic {
	return &model.Topic{
		Addr: addr(model.KindTopic, "orders-billing-dlq"), Name: "orders-billing-dlq",
		Labels:      ownership(),
		DerivedFrom: addrp(model.KindSubscription, "orders-billing"),
		Meta:        metaWithOwnership(),
	}
}

func dlqSub() *model.Subscription {
	return &model.Subscription{
		Addr: addr(model.KindSubscription, "orders-billing-dlq"), Name: "orders-billing-dlq",
		Topic:            topicName("orders-billing-dlq"),
		AckDeadline:      model.DefaultAckDeadline,
		MessageRetention: model.DeadLetterSubscriptionRetention,
		Expiration:       model.Expiration{Never: true},
		Labels:           ownership(),
		DerivedFrom:      addrp(model.KindSubscription, "orders-billing"),
		Meta: metaWithOwnership("topic", model.SourceBuiltin, "ack_deadline", model.SourceBuiltin,
			"message_retention", model.SourceBuiltin, "expiration", model.SourceBuiltin, "dead_letter", model.SourceBuiltin),
	}
}

// fullPlan has one of everything: a schema revision, an in-place update,
// an adoption, creates with defaults and derived dead-letter resources, a
// replace, deletes with orphan and backlog warnings, IAM adds and removes
// with dead-letter grant origins, an external grant, unmanaged resources
// and a warning.
func fullPlan() *plan.Plan {
	orders := &model.Topic{
		Addr: addr(model.KindTopic, "orders"), Name: "orders",
		Labels:           withLabels(map[string]string{"team": "checkout"}),
		MessageRetention: model.Day,
		Meta:             metaWithOwnership("labels.team", model.SourceUser, "message_retention", model.SourceDefaults),
	}
	events := &model.Topic{
		Addr: addr(model.KindTopic, "events"), Name: "events",
		Labels:           withLabels(map[string]string{"team": "payments"}),
		MessageRetention: model.Day,
		Meta:             metaWithOwnership("labels.team", model.SourceUser, "message_retention", model.SourceDefaults),
	}
	legacy := &model.Topic{
		Addr: addr(model.KindTopic, "legacy-audit"), Name: "legacy-audit",
		Labels:           withLabels(map[string]string{"team": "audit"}),
		MessageRetention: 7 * model.Day,
		Meta:             metaWithOwnership("labels.team", model.SourceUser, "message_retention", model.SourceUser),
	}
	billing := &model.Subscription{
		Addr: addr(model.KindSubscription, "orders-billing"), Name: "orders-billing",
		Topic:            topicName("orders"),
		Filter:           `attributes.x = "b"`,
		AckDeadline:      model.DefaultAckDeadline,
		MessageRetention: model.DefaultSubscriptionRetention,
		Expiration:       model.Expiration{Never: true},
		RetryPolicy:      &model.RetryPolicy{MinimumBackoff: model.DefaultMinimumBackoff, MaximumBackoff: model.DefaultMaximumBackoff},
		DeadLetter:       &model.DeadLetter{Topic: topicName("orders-billing-dlq"), MaxDeliveryAttempts: 5},
		Labels:           ownership(),
		Meta: metaWithOwnership("topic", model.SourceUser, "filter", model.SourceUser,
			"ack_deadline", model.SourceBuiltin, "message_retention", model.SourceBuiltin, "expiration", model.SourceBuiltin,
			"retry_policy", model.SourceBuiltin, "retry_policy.minimum_backoff", model.SourceBuiltin, "retry_policy.maximum_backoff", model.SourceBuiltin,
			"dead_letter", model.SourceBuiltin, "dead_letter.topic", model.SourceBuiltin, "dead_letter.max_delivery_attempts", model.SourceBuiltin),
	}
	schema := &model.Schema{
		Addr: addr(model.KindSchema, "order-event"), Name: "order-event",
		Type:       "AVRO",
		Definition: `{"type":"record","name":"Order","fields":[{"name":"id","type":"string"},{"name":"total","type":"long"}]}`,
		Meta:       meta("type", model.SourceUser, "definition", model.SourceUser),
	}

	p := &plan.Plan{
		FormatVersion: plan.FormatVersion,
		Project:       project,
		Stack:         "shop",
		Target:        "emulator 127.0.0.1:8085",
		IAMSupported:  true,
		LiveDigest:    "9c5b4f0e2a7d31b86e4c0f95d2a1b7e3c8f6045a9d3e2b1c7f8a6d5e4c3b2a19",
		Adopt:         true,
		Unchanged:     3,
		Changes: []plan.Change{
			{
				Address: schema.Addr, Kind: model.KindSchema, ID: schema.Name, Name: model.FullName(project, model.KindSchema, schema.Name),
				Action: plan.ActionUpdate, After: plan.Wrap(schema),
				Fields: []plan.FieldDiff{{
					Path:   "definition",
					Before: `"{\"type\":\"record\",\"name\":\"Order\",\"fields\":[{\"name\":\"id\",\"type\":\"string\"}]}"`,
					After:  `"{\"type\":\"record\",\"name\":\"Order\",\"fields\":[{\"name\":\"id\",\"type\":\"string\"},{\"name\":\"total\",\"type\":\"long\"}]}"`,
					Source: model.SourceUser,
				}},
				NewRevision: true,
			},
			{
				Address: events.Addr, Kind: model.KindTopic, ID: "events", Name: topicName("events"),
				Action: plan.ActionUpdate, After: plan.Wrap(events),
				Fields: []plan.FieldDiff{
					{Path: "kms_key_name", Before: `"projects/demo-project/locations/europe-west1/keyRings/pubsub/cryptoKeys/events"`},
					{Path: "labels.team", Before: `"growth"`, After: `"payments"`, Source: model.SourceUser},
					{Path: "labels.token", Before: `"old-s3cret-value"`, After: `"new-s3cret-value"`, Source: model.SourceUser, Sensitive: true},
					{Path: "message_retention", After: `"1d"`, Source: model.SourceDefaults},
				},
			},
			{
				Address: legacy.Addr, Kind: model.KindTopic, ID: "legacy-audit", Name: topicName("legacy-audit"),
				Action: plan.ActionAdopt, After: plan.Wrap(legacy),
				Fields: []plan.FieldDiff{
					{Path: "labels.managed-by", After: `"pubsubctl"`, Source: model.SourceBuiltin},
					{Path: "labels.pubsubctl-stack", After: `"shop"`, Source: model.SourceBuiltin},
				},
			},
			create(orders, nil),
			create(dlqTopic(), addrp(model.KindSubscription, "orders-billing")),
			{
				Address: billing.Addr, Kind: model.KindSubscription, ID: "orders-billing", Name: subName("orders-billing"),
				Action: plan.ActionReplace, After: plan.Wrap(billing),
				Fields: []plan.FieldDiff{
					{Path: "ack_deadline", Before: `"10s"`, After: `"1m"`, Source: model.SourceBuiltin},
					{Path: "filter", Before: `"attributes.x = \"a\""`, After: `"attributes.x = \"b\""`, Source: model.SourceUser, ForcesReplace: true},
				},
				ReplaceReasons: []string{`filter cannot be changed in place ("attributes.x = \"a\"" → "attributes.x = \"b\"")`},
				Warnings: []string{
					"its backlog and unacknowledged messages will be lost; the new subscription starts empty",
					"its IAM policy is deleted with it and re-applied right after re-creation",
				},
				Destructive:  true,
				RequiresFlag: "--allow-replace",
				DependsOn:    []model.Address{addr(model.KindTopic, "orders"), addr(model.KindTopic, "orders-billing-dlq")},
			},
			create(dlqSub(), addrp(model.KindSubscription, "orders-billing")),
			{
				Address: addr(model.KindSubscription, "stale-worker"), Kind: model.KindSubscription, ID: "stale-worker", Name: subName("stale-worker"),
				Action:       plan.ActionDelete,
				Warnings:     []string{"its backlog and unacknowledged messages will be lost"},
				Destructive:  true,
				RequiresFlag: "--allow-destroy",
			},
			{
				Address: addr(model.KindTopic, "old-events"), Kind: model.KindTopic, ID: "old-events", Name: topicName("old-events"),
				Action:       plan.ActionDelete,
				Warnings:     []string{"subscriptions old-audit will be orphaned (their topic becomes _deleted-topic_ and cannot be re-attached)"},
				Destructive:  true,
				RequiresFlag: "--allow-destroy",
				DependsOn:    []model.Address{addr(model.KindSubscription, "stale-worker")},
			},
		},
		IAM: []plan.IAMChange{
			{
				Address: events.Addr, Kind: model.KindTopic, Name: topicName("events"), WholePolicy: true,
				Members: []iam.MemberChange{
					{Role: model.RoleViewer, Member: "group:analysts@example.com", Action: iam.ActionAdd, Origin: "viewers"},
					{Role: model.RoleViewer, Member: "user:old@example.com", Action: iam.ActionRemove, Origin: iam.OriginNotInConfig},
				},
				DependsOn: []model.Address{events.Addr},
			},
			{
				Address: orders.Addr, Kind: model.KindTopic, Name: topicName("orders"),
				Members: []iam.MemberChange{
					{Role: model.RolePublisher, Member: "serviceAccount:checkout@demo-project.iam.gserviceaccount.com", Action: iam.ActionAdd, Origin: "publishers"},
				},
				DependsOn: []model.Address{orders.Addr},
			},
			{
				Address: addr(model.KindTopic, "orders-billing-dlq"), Kind: model.KindTopic, Name: topicName("orders-billing-dlq"),
				Members: []iam.MemberChange{
					{Role: model.RolePublisher, Member: agent, Action: iam.ActionAdd, Origin: "dead-letter grant for subscription.orders-billing"},
				},
				DependsOn: []model.Address{addr(model.KindTopic, "orders-billing-dlq")},
			},
			{
				Address: billing.Addr, Kind: model.KindSubscription, Name: subName("orders-billing"),
				Members: []iam.MemberChange{
					{Role: model.RoleSubscriber, Member: "serviceAccount:billing@demo-project.iam.gserviceaccount.com", Action: iam.ActionAdd, Origin: "subscribers"},
					{Role: model.RoleSubscriber, Member: agent, Action: iam.ActionAdd, Origin: "dead-letter grant for subscription.orders-billing"},
				},
				DependsOn: []model.Address{billing.Addr},
			},
			{
				Address: addr(model.KindTopic, "projects/shared-infra/topics/global-dlq"), Kind: model.KindTopic, Name: "projects/shared-infra/topics/global-dlq",
				Members: []iam.MemberChange{
					{Role: model.RolePublisher, Member: agent, Action: iam.ActionAdd, Origin: "dead-letter grant for subscription.payments-audit"},
				},
			},
		},
		Unmanaged: []plan.Unmanaged{
			{Kind: model.KindTopic, ID: "manual-debug", Address: addr(model.KindTopic, "manual-debug")},
			{Kind: model.KindTopic, ID: "payments", Stack: "analytics", InConfig: true, Address: addr(model.KindTopic, "payments")},
			{Kind: model.KindSubscription, ID: "old-audit", Address: addr(model.KindSubscription, "old-audit")},
			{Kind: model.KindSubscription, ID: "reporting", Stack: "analytics", Address: addr(model.KindSubscription, "reporting")},
		},
		Warnings: []string{
			"topic.payments exists and is managed by stack \"analytics\": pubsubctl will not change it (remove it from that stack with `pubsubctl forget` first)",
		},
	}
	return p
}

// emulatorPlan creates a topic and a subscription with defaults on an
// emulator without IAM, with --target in effect.
func emulatorPlan() *plan.Plan {
	orders := &model.Topic{
		Addr: addr(model.KindTopic, "orders"), Name: "orders",
		Labels:           ownership(),
		MessageRetention: model.Day,
		Meta:             metaWithOwnership("message_retention", model.SourceUser),
	}
	worker := &model.Subscription{
		Addr: model.Address{Kind: model.KindSubscription, Name: "worker", Key: "eu", HasKey: true}, Name: "orders-worker-eu",
		Topic:            topicName("orders"),
		AckDeadline:      30 * time.Second,
		MessageRetention: 3 * model.Day,
		Expiration:       model.Expiration{Never: true},
		RetryPolicy:      &model.RetryPolicy{MinimumBackoff: 5 * time.Second, MaximumBackoff: model.DefaultMaximumBackoff},
		DeadLetterOptOut: &model.OptOut{Reason: "replayed from the archive"},
		Labels:           withLabels(map[string]string{"region": "eu"}),
		Meta: metaWithOwnership("topic", model.SourceUser, "ack_deadline", model.SourceUser, "message_retention", model.SourceDefaults,
			"expiration", model.SourceBuiltin, "retry_policy", model.SourceBuiltin, "retry_policy.minimum_backoff", model.SourceDefaults,
			"retry_policy.maximum_backoff", model.SourceBuiltin, "dead_letter", model.SourceUser, "labels.region", model.SourceUser),
	}
	sub := create(worker, nil)
	sub.DependsOn = []model.Address{orders.Addr}
	return &plan.Plan{
		FormatVersion: plan.FormatVersion,
		Project:       project,
		Stack:         "shop",
		Target:        "emulator 127.0.0.1:8085",
		IAMSupported:  false,
		LiveDigest:    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		Targets:       []string{"topic.orders", "subscription.worker"},
		Changes:       []plan.Change{create(orders, nil), sub},
		IAM:           []plan.IAMChange{},
		Unmanaged:     []plan.Unmanaged{},
		Warnings:      []string{"IAM is not supported by emulator 127.0.0.1:8085: IAM of 2 resources is not planned and will not be applied"},
	}
}

// protectedPlan replaces a subscription whose topic was deleted, but the
// subscription has lifecycle.prevent_destroy.
func protectedPlan() *plan.Plan {
	worker := &model.Subscription{
		Addr: addr(model.KindSubscription, "payments-worker"), Name: "payments-worker",
		Topic:            topicName("payments"),
		AckDeadline:      model.DefaultAckDeadline,
		MessageRetention: model.DefaultSubscriptionRetention,
		Expiration:       model.Expiration{Never: true},
		Labels:           ownership(),
		Lifecycle:        model.Lifecycle{PreventDestroy: true},
		Meta:             metaWithOwnership("topic", model.SourceUser, "ack_deadline", model.SourceBuiltin, "message_retention", model.SourceBuiltin, "expiration", model.SourceBuiltin),
	}
	return &plan.Plan{
		FormatVersion: plan.FormatVersion,
		Project:       project,
		Stack:         "payments",
		Target:        "pubsub.googleapis.com",
		IAMSupported:  true,
		LiveDigest:    "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0",
		Unchanged:     1,
		Changes: []plan.Change{{
			Address: worker.Addr, Kind: model.KindSubscription, ID: worker.Name, Name: subName(worker.Name),
			Action: plan.ActionReplace, After: plan.Wrap(worker),
			Fields: []plan.FieldDiff{
				{Path: "topic", Before: `"_deleted-topic_"`, After: `"payments"`, Source: model.SourceUser, ForcesReplace: true},
			},
			ReplaceReasons: []string{
				"its topic was deleted (Pub/Sub reports _deleted-topic_); a subscription cannot be re-attached",
				`topic cannot be changed in place ("_deleted-topic_" → "payments")`,
			},
			Warnings: []string{
				"its backlog and unacknowledged messages will be lost; the new subscription starts empty",
				"its IAM policy is deleted with it and re-applied right after re-creation",
			},
			Destructive:    true,
			RequiresFlag:   "--allow-replace",
			PreventDestroy: true,
		}},
		IAM: []plan.IAMChange{{
			Address: worker.Addr, Kind: model.KindSubscription, Name: subName(worker.Name),
			Members: []iam.MemberChange{
				{Role: model.RoleSubscriber, Member: "serviceAccount:payments@demo-project.iam.gserviceaccount.com", Action: iam.ActionAdd, Origin: "subscribers"},
			},
			DependsOn: []model.Address{worker.Addr},
		}},
		Unmanaged: []plan.Unmanaged{},
		Warnings:  []string{},
	}
}

// noChangesPlan matches live state exactly.
func noChangesPlan() *plan.Plan {
	return &plan.Plan{
		FormatVersion: plan.FormatVersion,
		Project:       project,
		Stack:         "shop",
		Target:        "pubsub.googleapis.com",
		IAMSupported:  true,
		LiveDigest:    "5d41402abc4b2a76b9719d911017c592ae2b7c1d3e4f5a6b7c8d9e0f1a2b3c4d",
		Unchanged:     7,
		Changes:       []plan.Change{},
		IAM:           []plan.IAMChange{},
		Unmanaged: []plan.Unmanaged{
			{Kind: model.KindTopic, ID: "manual-debug", Address: addr(model.KindTopic, "manual-debug")},
			{Kind: model.KindSubscription, ID: "reporting", Stack: "analytics", Address: addr(model.KindSubscription, "reporting")},
		},
		Warnings: []string{
			"projects/demo-project/topics/orders grants a role to deleted principal deleted:serviceAccount:old-ci@demo-project.iam.gserviceaccount.com?uid=1234567890; remove it from the configuration or the policy",
		},
	}
}

var fixtures = []struct {
	name string
	plan func() *plan.Plan
}{
	{"full", fullPlan},
	{"emulator", emulatorPlan},
	{"protected", protectedPlan},
	{"nochanges", noChangesPlan},
}
