package config

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/pubsubctl/pubsubctl/model"
)

// tags decodes a topic's or subscription's tags.
func (d *dec) tags(body *hclsyntax.Body) map[string]string {
	if m, ok := d.stringMap(body, model.TopicTags.Name); ok {
		return m
	}
	return nil
}

// bigtable decodes a subscription's bigtable block.
func (d *dec) bigtable(body *hclsyntax.Body) *model.BigtableConfig {
	b, nd := d.block(body, model.SubBigtable.Name)
	if nd == nil {
		return nil
	}
	bt := &model.BigtableConfig{}
	nd.str(b, "table", &bt.Table)
	nd.str(b, "app_profile_id", &bt.AppProfileID)
	nd.boolean(b, "write_metadata", &bt.WriteMetadata)
	nd.str(b, "service_account", &bt.ServiceAccount)
	return bt
}

// ingestion decodes a topic's ingestion block; two sources at once are
// reported by validation (model), which knows both ranges.
func (d *dec) ingestion(body *hclsyntax.Body) *model.Ingestion {
	b, nd := d.block(body, model.TopicIngestion.Name)
	if nd == nil {
		return nil
	}
	in := &model.Ingestion{}
	for _, src := range model.IngestionSources {
		if sb, sd := nd.block(b, src.Block); sd != nil {
			for _, a := range src.New(in) {
				sd.str(sb, a.Name, a.Value)
			}
		}
	}
	if sb, sd := nd.block(b, "cloud_storage"); sd != nil {
		in.CloudStorage = sd.storageSource(sb)
	}
	if sb, sd := nd.block(b, "platform_logs"); sd != nil {
		sd.str(sb, "severity", &in.PlatformLogs)
	}
	return in
}

// storageSource decodes ingestion { cloud_storage { ... } }: one input
// format block at most (text_format is the default).
func (d *dec) storageSource(b *hclsyntax.Body) *model.StorageSource {
	l := d.l
	s := &model.StorageSource{Format: "text"}
	d.str(b, "bucket", &s.Bucket)
	d.str(b, "match_glob", &s.MatchGlob)
	if a := b.Attributes["minimum_object_create_time"]; a != nil {
		var raw string
		if d.str(b, "minimum_object_create_time", &raw) {
			t, err := time.Parse(time.RFC3339Nano, raw)
			if err != nil {
				l.errorf(a.Expr.Range(), "Invalid time",
					"minimum_object_create_time must be an RFC 3339 time such as \"2024-01-31T00:00:00Z\"; got %q.", raw)
			} else {
				s.MinimumObjectCreateTime = t.UTC().Format(time.RFC3339Nano)
			}
		}
	}
	var first *hclsyntax.Block
	for _, typ := range []string{"text_format", "avro_format", "pubsub_avro_format"} {
		fb := l.block(b, typ)
		if fb == nil {
			continue
		}
		if first != nil {
			l.errorf(fb.TypeRange, "Conflicting input formats",
				"An ingestion cloud_storage source reads objects in one format: text_format, avro_format or pubsub_avro_format (the %s block is at %s).",
				first.Type, rangeString(first.TypeRange))
			continue
		}
		first = fb
		d.markBlock(typ, fb)
		switch typ {
		case "text_format":
			s.Format = "text"
			if a := fb.Body.Attributes["delimiter"]; a != nil {
				var delim string
				if d.nested(typ).str(fb.Body, "delimiter", &delim) {
					s.TextDelimiter = &delim
				}
			}
		case "avro_format":
			s.Format = "avro"
		case "pubsub_avro_format":
			s.Format = "pubsub_avro"
		}
	}
	return s
}

// transforms decodes the message_transform blocks of a topic or
// subscription, in order. Paths are message_transform.N.KIND.ARG.
func (d *dec) transforms(body *hclsyntax.Body) []model.MessageTransform {
	var out []model.MessageTransform
	for i, b := range d.l.blocks(body, model.TopicTransforms.Name) {
		if i == 0 {
			d.markBlock(model.TopicTransforms.Name, b)
		}
		idx := strconv.Itoa(i)
		d.markBlock(model.TopicTransforms.Name+"."+idx, b)
		td := d.nested(model.TopicTransforms.Name + "." + idx)
		var t model.MessageTransform
		enabled := true
		td.boolean(b.Body, "enabled", &enabled)
		t.Disabled = !enabled
		var kinds []*hclsyntax.Block
		for _, kb := range b.Body.Blocks {
			if !d.l.bad[kb] {
				kinds = append(kinds, kb)
			}
		}
		switch {
		case len(kinds) == 0:
			d.l.errorf(b.DefRange(), "Missing transform",
				"A message_transform block holds one transform: a javascript_udf { function_name = ...  code = ... } block, an ai_inference block or a compression block.")
		case len(kinds) > 1:
			d.l.errorf(kinds[1].TypeRange, "Conflicting transforms",
				"A message_transform block holds exactly one transform, but it has %s and %s (at %s). Use one message_transform block per transform; they run in order.",
				kinds[0].Type, kinds[1].Type, rangeString(kinds[0].TypeRange))
		}
		if kb, kd := td.block(b.Body, "javascript_udf"); kd != nil {
			u := &model.JavaScriptUDF{}
			kd.str(kb, "function_name", &u.FunctionName)
			kd.str(kb, "code", &u.Code)
			t.JavaScriptUDF = u
		}
		if kb, kd := td.block(b.Body, "ai_inference"); kd != nil {
			ai := &model.AIInference{}
			kd.str(kb, "endpoint", &ai.Endpoint)
			kd.str(kb, "service_account", &ai.ServiceAccount)
			if a := kb.Attributes["parameters"]; a != nil {
				var raw string
				if kd.str(kb, "parameters", &raw) {
					canon, err := canonicalJSONObject(raw)
					if err != nil {
						d.l.errorf(a.Expr.Range(), "Invalid inference parameters",
							"parameters must be a JSON object, e.g. parameters = jsonencode({ temperature = 0.2 }): %v.", err)
					}
					ai.Parameters = canon
				}
			}
			t.AIInference = ai
		}
		if kb, kd := td.block(b.Body, "compression"); kd != nil {
			c := &model.Compression{}
			kd.str(kb, "algorithm", &c.Algorithm)
			kd.str(kb, "mode", &c.Mode)
			t.Compression = c
		}
		out = append(out, t)
	}
	return out
}

// canonicalJSONObject re-encodes a JSON object with sorted keys.
func canonicalJSONObject(s string) (string, error) {
	var v map[string]any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return "", fmt.Errorf("%v", err)
	}
	if v == nil {
		return "", fmt.Errorf("null is not an object")
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	return string(b), nil
}
