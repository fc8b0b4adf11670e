package config

import (
	"fmt"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/pubsubctl/pubsubctl/model"
)

// decodePubsubctl decodes the stack and project number; the project was
// resolved earlier because resource names depend on it.
func (l *loader) decodePubsubctl(cfg *model.Config) {
	b := l.pubsubctl
	if b == nil {
		if l.placeholder {
			cfg.Stack = placeholderStack
		}
		return
	}
	cfg.Meta.DeclRange = b.TypeRange
	if l.projectRange != nil {
		cfg.Meta.Set("project", model.SourceUser, l.projectRange)
	}
	d := &dec{l: l, sc: scope{roots: rootAll, where: "the pubsubctl block"}, meta: &cfg.Meta}
	if l.checkNotSensitive(b.Body.Attributes["stack"], "stack", whyStack) {
		d.str(b.Body, "stack", &cfg.Stack)
	}
	if !l.checkNotSensitive(b.Body.Attributes["project_number"], "project_number", whyProjectNumber) {
		return
	}
	v, a, ok := d.value(b.Body, "project_number")
	if !ok {
		return
	}
	switch v.Type() {
	case cty.String:
		cfg.ProjectNumber = v.AsString()
	case cty.Number:
		bf := v.AsBigFloat()
		if !bf.IsInt() || bf.Sign() < 0 {
			l.errorf(a.Expr.Range(), "Invalid project number", "A project number is a positive whole number, e.g. \"123456789012\".")
			return
		}
		cfg.ProjectNumber = bf.Text('f', 0)
	default:
		l.typeError(a, "string", v)
		return
	}
	d.markAttr("project_number", a)
}

// decodeDefaults decodes the defaults block; without one it returns empty
// defaults.
func (l *loader) decodeDefaults() *model.Defaults {
	def := &model.Defaults{}
	b := l.defaults
	if b == nil {
		return def
	}
	def.Meta.DeclRange = b.TypeRange
	d := &dec{l: l, sc: scope{roots: rootAll, where: "the defaults block"}, meta: &def.Meta}
	if body, sd := d.block(b.Body, "subscription"); sd != nil {
		out := &def.Subscription
		var dur time.Duration
		if sd.duration(body, model.SubAckDeadline.Name, &dur) {
			v := dur
			out.AckDeadline = &v
		}
		if sd.duration(body, model.SubMessageRetention.Name, &dur) {
			v := dur
			out.MessageRetention = &v
		}
		var flag bool
		if sd.boolean(body, model.SubRetainAcked.Name, &flag) {
			out.RetainAckedMessages = &flag
		}
		var exp model.Expiration
		if sd.expiration(body, model.SubExpiration.Name, &exp) {
			out.Expiration = &exp
		}
		out.RetryPolicy, out.RetryPolicyOff = sd.retryPolicy(body)
		dl, optOut, maxSet := sd.deadLetter(body)
		out.DeadLetterOff = optOut
		if dl != nil && maxSet {
			n := dl.MaxDeliveryAttempts
			out.MaxDeliveryAttempts = &n
		}
		if m, ok := sd.stringMap(body, model.SubLabels.Name); ok {
			out.Labels = m
		}
	}
	if body, td := d.block(b.Body, "topic"); td != nil {
		var dur time.Duration
		if td.duration(body, model.TopicMessageRetention.Name, &dur) {
			def.Topic.MessageRetention = &dur
		}
		if m, ok := td.stringMap(body, model.TopicLabels.Name); ok {
			def.Topic.Labels = m
		}
	}
	return def
}

// decodeResource decodes every instance of a resource block into cfg.
func (l *loader) decodeResource(cfg *model.Config, n *resourceNode) {
	body := n.block.Body
	for _, inst := range n.instances {
		if !inst.ok {
			continue
		}
		sc := scope{roots: rootAll, where: n.String()}
		if inst.hasKey {
			sc.each = inst
		}
		addr := model.Address{Kind: n.kind, Name: n.label, Key: inst.key, HasKey: inst.hasKey}
		meta := model.Meta{DeclRange: n.block.LabelRanges[0]}
		if a := body.Attributes["name"]; a != nil {
			r := a.Expr.Range()
			meta.Set("name", model.SourceUser, &r)
		}
		switch n.kind {
		case model.KindSchema:
			s := &model.Schema{Addr: addr, Name: inst.name, Meta: meta}
			d := &dec{l: l, sc: sc, meta: &s.Meta}
			d.str(body, "type", &s.Type)
			d.str(body, "definition", &s.Definition)
			d.boolean(body, "prune_revisions", &s.PruneRevisions)
			d.iam(body, &s.IAM, []shortcut{{"viewers", model.RoleViewer}})
			d.lifecycle(body, &s.Lifecycle)
			cfg.Schemas = append(cfg.Schemas, s)
		case model.KindTopic:
			t := &model.Topic{Addr: addr, Name: inst.name, Meta: meta}
			d := &dec{l: l, sc: sc, meta: &t.Meta}
			d.topic(body, t)
			cfg.Topics = append(cfg.Topics, t)
		case model.KindSubscription:
			s := &model.Subscription{Addr: addr, Name: inst.name, Meta: meta}
			d := &dec{l: l, sc: sc, meta: &s.Meta}
			d.subscription(body, s)
			cfg.Subscriptions = append(cfg.Subscriptions, s)
		}
	}
}

func (d *dec) topic(body *hclsyntax.Body, t *model.Topic) {
	if m, ok := d.stringMap(body, model.TopicLabels.Name); ok {
		t.Labels = m
	}
	d.duration(body, model.TopicMessageRetention.Name, &t.MessageRetention)
	d.str(body, model.TopicKMSKeyName.Name, &t.KMSKeyName)
	if b, nd := d.block(body, model.TopicStoragePolicy.Name); nd != nil {
		sp := &model.StoragePolicy{}
		if regions, _, _, ok := nd.stringList(b, "allowed_persistence_regions"); ok {
			sp.AllowedPersistenceRegions = regions
		}
		nd.boolean(b, "enforce_in_transit", &sp.EnforceInTransit)
		t.StoragePolicy = sp
	}
	if b, nd := d.block(body, "schema"); nd != nil {
		ss := &model.SchemaSettings{}
		nd.name(b, "name", model.KindSchema, &ss.Schema)
		nd.str(b, "encoding", &ss.Encoding)
		nd.str(b, "first_revision_id", &ss.FirstRevisionID)
		nd.str(b, "last_revision_id", &ss.LastRevisionID)
		t.Schema = ss
	}
	t.Ingestion = d.ingestion(body)
	t.Transforms = d.transforms(body)
	t.Tags = d.tags(body)
	d.iam(body, &t.IAM, []shortcut{{"publishers", model.RolePublisher}, {"viewers", model.RoleViewer}})
	d.lifecycle(body, &t.Lifecycle)
}

func (d *dec) subscription(body *hclsyntax.Body, s *model.Subscription) {
	l := d.l
	d.name(body, "topic", model.KindTopic, &s.Topic)
	d.duration(body, model.SubAckDeadline.Name, &s.AckDeadline)
	d.duration(body, model.SubMessageRetention.Name, &s.MessageRetention)
	d.boolean(body, model.SubRetainAcked.Name, &s.RetainAckedMessages)
	d.expiration(body, model.SubExpiration.Name, &s.Expiration)
	d.str(body, model.SubFilter.Name, &s.Filter)
	d.boolean(body, model.SubMessageOrdering.Name, &s.EnableMessageOrdering)
	d.boolean(body, model.SubExactlyOnce.Name, &s.EnableExactlyOnceDelivery)
	s.RetryPolicy, _ = d.retryPolicy(body)
	s.DeadLetter, s.DeadLetterOptOut, _ = d.deadLetter(body)
	if b, nd := d.block(body, model.SubPush.Name); nd != nil {
		p := &model.PushConfig{}
		nd.str(b, "endpoint", &p.Endpoint)
		if m, ok := nd.stringMap(b, "attributes"); ok {
			p.Attributes = m
		}
		if ob, od := nd.block(b, "oidc"); od != nil {
			o := &model.OIDCToken{}
			od.str(ob, "service_account", &o.ServiceAccount)
			od.str(ob, "audience", &o.Audience)
			p.OIDC = o
		}
		if wb, wd := nd.block(b, "no_wrapper"); wd != nil {
			w := &model.NoWrapper{}
			wd.boolean(wb, "write_metadata", &w.WriteMetadata)
			p.NoWrapper = w
		}
		s.Push = p
	}
	if b, nd := d.block(body, model.SubBigQuery.Name); nd != nil {
		bq := &model.BigQueryConfig{}
		nd.str(b, "table", &bq.Table)
		nd.boolean(b, "use_topic_schema", &bq.UseTopicSchema)
		nd.boolean(b, "use_table_schema", &bq.UseTableSchema)
		nd.boolean(b, "write_metadata", &bq.WriteMetadata)
		nd.boolean(b, "drop_unknown_fields", &bq.DropUnknownFields)
		nd.str(b, "service_account", &bq.ServiceAccount)
		s.BigQuery = bq
	}
	if b, nd := d.block(body, model.SubCloudStorage.Name); nd != nil {
		cs := &model.CloudStorageConfig{}
		nd.str(b, "bucket", &cs.Bucket)
		nd.str(b, "filename_prefix", &cs.FilenamePrefix)
		nd.str(b, "filename_suffix", &cs.FilenameSuffix)
		nd.str(b, "filename_datetime_format", &cs.FilenameDatetimeFormat)
		nd.duration(b, "max_duration", &cs.MaxDuration)
		nd.integer(b, "max_bytes", &cs.MaxBytes)
		nd.integer(b, "max_messages", &cs.MaxMessages)
		nd.str(b, "service_account", &cs.ServiceAccount)
		text, avro := l.block(b, "text"), l.block(b, "avro")
		switch {
		case text != nil && avro != nil:
			l.errorf(avro.TypeRange, "Conflicting output formats",
				"A cloud_storage subscription writes either text or avro files, not both (the text block is at %s).", rangeString(text.TypeRange))
		case avro != nil:
			nd.markBlock("avro", avro)
			ad := nd.nested("avro")
			ac := &model.AvroConfig{}
			ad.boolean(avro.Body, "write_metadata", &ac.WriteMetadata)
			ad.boolean(avro.Body, "use_topic_schema", &ac.UseTopicSchema)
			cs.Avro = ac
		case text != nil:
			nd.markBlock("text", text)
		}
		cs.Text = cs.Avro == nil
		s.CloudStorage = cs
	}
	s.Bigtable = d.bigtable(body)
	s.Transforms = d.transforms(body)
	s.Tags = d.tags(body)
	if m, ok := d.stringMap(body, model.SubLabels.Name); ok {
		s.Labels = m
	}
	d.iam(body, &s.IAM, []shortcut{{"subscribers", model.RoleSubscriber}, {"viewers", model.RoleViewer}})
	d.lifecycle(body, &s.Lifecycle)
}

// expiration decodes "never" or a duration.
func (d *dec) expiration(body *hclsyntax.Body, name string, dst *model.Expiration) bool {
	return decodeArg(d, body, name, cty.String, `"never" or a duration string (e.g. "31d") is required`, dst,
		func(v cty.Value, rng hcl.Range) (model.Expiration, bool) {
			s := v.AsString()
			if s == "never" {
				return model.Expiration{Never: true}, true
			}
			ttl, err := model.ParseDuration(s)
			if err != nil {
				d.l.errorf(rng, "Invalid duration", "Argument %q: %v. Use \"never\" or a duration such as \"31d\".", name, err)
				return model.Expiration{}, false
			}
			return model.Expiration{TTL: ttl}, true
		})
}

// boolOrBlock decodes the argument form of an argument-or-block setting
// (retry_policy = false, dead_letter = false). It reports both forms at
// once, non-bool values and true. set is false when the argument is
// absent (or null); ok is false when it was invalid.
func (d *dec) boolOrBlock(body *hclsyntax.Body, name, trueHint string) (a *hclsyntax.Attribute, b *hclsyntax.Block, ok bool) {
	a = body.Attributes[name]
	b = d.l.block(body, name)
	if a != nil && b != nil {
		d.l.errorf(b.TypeRange, "Conflicting "+name+" settings",
			"%s is set both as an argument (at %s) and as a block; use one of them.", name, rangeString(a.NameRange))
		return nil, nil, false
	}
	if a == nil {
		return nil, b, true
	}
	v, ok := d.l.eval(a.Expr, d.sc)
	if !ok {
		return nil, nil, false
	}
	if v.IsNull() {
		return nil, nil, true
	}
	if v.Type() != cty.Bool {
		d.l.typeError(a, fmt.Sprintf("false (or a %s block)", name), v)
		return nil, nil, false
	}
	if v.True() {
		d.l.errorf(a.Expr.Range(), "Invalid "+name+" value", "%s", trueHint)
		return nil, nil, false
	}
	return a, nil, true
}

// retryPolicy decodes retry_policy { ... } or retry_policy = false.
func (d *dec) retryPolicy(body *hclsyntax.Body) (rp *model.RetryPolicy, off bool) {
	a, b, ok := d.boolOrBlock(body, model.SubRetryPolicy.Name,
		"retry_policy = true is not needed: redelivery with exponential backoff (10s to 600s) is on by default. Use a retry_policy block to change the backoff, or retry_policy = false to redeliver immediately.")
	switch {
	case !ok:
		return nil, false
	case a != nil:
		d.markAttr(model.SubRetryPolicy.Name, a)
		return nil, true
	case b != nil:
		d.markBlock(model.SubRetryPolicy.Name, b)
		nd := d.nested(model.SubRetryPolicy.Name)
		rp = &model.RetryPolicy{}
		nd.duration(b.Body, "minimum_backoff", &rp.MinimumBackoff)
		nd.duration(b.Body, "maximum_backoff", &rp.MaximumBackoff)
		return rp, false
	}
	return nil, false
}

// deadLetter decodes dead_letter { ... }, dead_letter = false and
// dead_letter { enabled = false  reason = "..." }. maxSet reports whether
// max_delivery_attempts was written.
func (d *dec) deadLetter(body *hclsyntax.Body) (dl *model.DeadLetter, off *model.OptOut, maxSet bool) {
	a, b, ok := d.boolOrBlock(body, model.SubDeadLetter.Name,
		"dead_letter = true is not needed: dead-lettering is on by default (pubsubctl creates a <name>-dlq topic and subscription). Use a dead_letter block to configure it, e.g. dead_letter { max_delivery_attempts = 10 }, or dead_letter = false to turn it off.")
	switch {
	case !ok:
		return nil, nil, false
	case a != nil:
		d.markAttr(model.SubDeadLetter.Name, a)
		return nil, &model.OptOut{}, false
	case b == nil:
		return nil, nil, false
	}
	nd := d.nested(model.SubDeadLetter.Name)
	enabled := true
	nd.boolean(b.Body, "enabled", &enabled)
	if !enabled {
		for _, name := range []string{"topic", "max_delivery_attempts"} {
			if x := b.Body.Attributes[name]; x != nil {
				d.l.errorf(x.NameRange, "Conflicting dead_letter settings",
					"dead_letter has enabled = false, so %s has no effect; remove it, or remove enabled = false.", name)
			}
		}
		off = &model.OptOut{}
		nd.str(b.Body, "reason", &off.Reason)
		d.markBlock(model.SubDeadLetter.Name, b)
		return nil, off, false
	}
	if x := b.Body.Attributes["reason"]; x != nil {
		d.l.errorf(x.NameRange, "Unexpected reason",
			"reason explains why dead-lettering is turned off, so it only applies together with enabled = false.")
	}
	d.markBlock(model.SubDeadLetter.Name, b)
	dl = &model.DeadLetter{}
	if b.Body.Attributes["topic"] != nil {
		nd.name(b.Body, "topic", model.KindTopic, &dl.Topic)
	}
	maxSet = nd.integerInt(b.Body, "max_delivery_attempts", &dl.MaxDeliveryAttempts)
	return dl, nil, maxSet
}

func (d *dec) lifecycle(body *hclsyntax.Body, lc *model.Lifecycle) {
	if b, ld := d.block(body, "lifecycle"); ld != nil {
		ld.boolean(b, "prevent_destroy", &lc.PreventDestroy)
	}
}

// shortcut is an IAM shortcut argument (publishers, subscribers, viewers).
type shortcut struct {
	attr, role string
}

// iam decodes the IAM shortcuts, iam blocks and iam_policy of a resource.
func (d *dec) iam(body *hclsyntax.Body, p *model.IAM, shortcuts []shortcut) {
	for _, s := range shortcuts {
		members, ranges, a, ok := d.stringList(body, s.attr)
		if !ok {
			continue
		}
		p.Bindings = append(p.Bindings, model.Binding{
			Role:         s.role,
			Members:      members,
			Origin:       s.attr,
			Range:        a.Expr.Range(),
			MemberRanges: ranges,
		})
	}
	for i, b := range d.l.blocks(body, "iam") {
		if i == 0 {
			d.markBlock("iam", b)
		}
		bd := &dec{l: d.l, sc: d.sc} // per-binding values are not fields
		var bnd model.Binding
		bnd.Origin = "iam"
		bnd.Range = b.DefRange()
		if bd.str(b.Body, "role", &bnd.Role) {
			bnd.Range = b.Body.Attributes["role"].Expr.Range()
		}
		members, ranges, _, ok := bd.stringList(b.Body, "members")
		if !ok && bnd.Role == "" {
			continue
		}
		bnd.Members, bnd.MemberRanges = members, ranges
		bd.boolean(b.Body, "allow_broad", &bnd.AllowBroad)
		if cb := d.l.block(b.Body, "condition"); cb != nil {
			var expr, title string
			bd.str(cb.Body, "expression", &expr)
			bd.str(cb.Body, "title", &title)
			switch {
			case expr != "":
				bnd.Condition = expr
			case title != "":
				bnd.Condition = title
			default:
				bnd.Condition = "condition"
			}
		}
		p.Bindings = append(p.Bindings, bnd)
	}
	var policy string
	if a := body.Attributes["iam_policy"]; a != nil && d.str(body, "iam_policy", &policy) {
		if policy != "authoritative" {
			d.l.errorf(a.Expr.Range(), "Invalid iam_policy",
				"The only value is \"authoritative\": pubsubctl then owns the whole IAM policy of this resource and removes roles the configuration does not name. Without iam_policy, only the roles named here are managed.")
			return
		}
		p.Authoritative = true
	}
}
