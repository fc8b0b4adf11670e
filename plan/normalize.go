package plan

import (
	"strings"

	"github.com/pubsubctl/pubsubctl/model"
)

// pushVersionAttribute is the push attribute Pub/Sub adds by itself.
const pushVersionAttribute = "x-goog-version"

// normalizeLive returns a copy of live in which values the service fills in
// by itself are replaced by the desired ones wherever the configuration is
// silent about them, so that an unchanged configuration is an exact no-op.
// It never touches a value the configuration sets.
func normalizeLive(desired, live model.Resource) model.Resource {
	switch l := live.(type) {
	case *model.Topic:
		d, _ := desired.(*model.Topic)
		c := *l
		c.Labels = withoutSystemLabels(l.Labels)
		if d != nil {
			c.Tags = inputOnlyTags(d.Tags, c.Tags)
			if in := c.Ingestion; in != nil && in.CloudStorage != nil && d.Ingestion != nil && d.Ingestion.CloudStorage != nil &&
				d.Ingestion.CloudStorage.TextDelimiter == nil {
				cs := *in.CloudStorage
				cs.TextDelimiter = nil // the service's "\n"
				n := *in
				n.CloudStorage = &cs
				c.Ingestion = &n
			}
			if d.StoragePolicy == nil {
				c.StoragePolicy = nil // inherited from the organization policy
			}
			if d.Schema != nil && c.Schema != nil {
				s := *c.Schema
				if d.Schema.FirstRevisionID == "" {
					s.FirstRevisionID = ""
				}
				if d.Schema.LastRevisionID == "" {
					s.LastRevisionID = ""
				}
				c.Schema = &s
			}
		}
		return &c
	case *model.Subscription:
		d, _ := desired.(*model.Subscription)
		c := *l
		c.Labels = withoutSystemLabels(l.Labels)
		if c.AckDeadline == 0 {
			c.AckDeadline = model.SubAckDeadline.ServerDefault
		}
		if dl := c.DeadLetter; dl != nil && dl.MaxDeliveryAttempts == 0 {
			c.DeadLetter = &model.DeadLetter{Topic: dl.Topic, MaxDeliveryAttempts: int(model.SubMaxDeliveryAttempts.ServerDefaultCount)}
		}
		if d == nil {
			return &c
		}
		c.Tags = inputOnlyTags(d.Tags, c.Tags)
		if lp, dp := c.Push, d.Push; lp != nil && dp != nil {
			p := *lp
			if _, ok := dp.Attributes[pushVersionAttribute]; !ok && len(p.Attributes) > 0 {
				attrs := map[string]string{}
				for k, v := range p.Attributes {
					if k != pushVersionAttribute {
						attrs[k] = v
					}
				}
				p.Attributes = attrs
			}
			if p.OIDC != nil && dp.OIDC != nil && dp.OIDC.Audience == "" && (p.OIDC.Audience == p.Endpoint || p.OIDC.Audience == dp.Endpoint) {
				o := *p.OIDC
				o.Audience = ""
				p.OIDC = &o
			}
			c.Push = &p
		}
		if lc, dc := c.CloudStorage, d.CloudStorage; lc != nil && dc != nil {
			cs := *lc
			if dc.MaxDuration == 0 && cs.MaxDuration == model.SubStorageMaxDuration.ServerDefault {
				cs.MaxDuration = 0
			}
			if dc.MaxBytes == 0 {
				cs.MaxBytes = 0
			}
			if dc.MaxMessages == 0 {
				cs.MaxMessages = 0
			}
			c.CloudStorage = &cs
		}
		return &c
	}
	return live
}

// inputOnlyTags is the live tags to compare with the desired ones. Tags
// are input-only in Pub/Sub's API: Pub/Sub does not return them, so a
// resource read without tags is taken to have the desired ones (a tag
// change cannot be seen). A server that returns them (the embedded
// emulator) shows a change, which is a replace.
func inputOnlyTags(desired, live map[string]string) map[string]string {
	if len(live) == 0 {
		return desired
	}
	return live
}

// withoutSystemLabels drops labels the platform adds (goog-*), which
// pubsubctl neither owns nor reports.
func withoutSystemLabels(l map[string]string) map[string]string {
	if len(l) == 0 {
		return l
	}
	out := make(map[string]string, len(l))
	for k, v := range l {
		if !strings.HasPrefix(k, "goog-") {
			out[k] = v
		}
	}
	return out
}
