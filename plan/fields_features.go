package plan

import (
	"strconv"

	"github.com/pubsubctl/pubsubctl/model"
)

// ingestionFields are a topic's ingestion source, one field per argument.
func ingestionFields(in *model.Ingestion) []field {
	if in == nil {
		return nil
	}
	r := func(sub, value string) field { return row(model.TopicIngestion, sub, value) }
	var f []field
	for _, src := range model.IngestionSources {
		for _, a := range src.Args(in) {
			f = append(f, r(src.Block+"."+a.Name, q(*a.Value)))
		}
	}
	if c := in.CloudStorage; c != nil {
		f = append(f,
			r("cloud_storage.bucket", q(c.Bucket)),
			r("cloud_storage.format", q(c.Format)),
			r("cloud_storage.minimum_object_create_time", q(c.MinimumObjectCreateTime)),
			r("cloud_storage.match_glob", q(c.MatchGlob)))
		if c.TextDelimiter != nil {
			f = append(f, r("cloud_storage.text_format.delimiter", strconv.Quote(*c.TextDelimiter)))
		}
	}
	return append(f, r("platform_logs.severity", q(in.PlatformLogs)))
}

// transformFields are the message transforms of a topic or subscription:
// message_transform.N.KIND.ARG, and message_transform.N.enabled.
func transformFields(fr *model.Field, ts []model.MessageTransform) []field {
	var f []field
	for i, t := range ts {
		p := strconv.Itoa(i) + "."
		f = append(f, row(fr, p+"enabled", boolean(!t.Disabled)))
		if u := t.JavaScriptUDF; u != nil {
			f = append(f,
				row(fr, p+"javascript_udf.function_name", q(u.FunctionName)),
				row(fr, p+"javascript_udf.code", q(u.Code)))
		}
		if a := t.AIInference; a != nil {
			f = append(f,
				row(fr, p+"ai_inference.endpoint", q(a.Endpoint)),
				row(fr, p+"ai_inference.service_account", q(a.ServiceAccount)),
				row(fr, p+"ai_inference.parameters", q(a.Parameters)))
		}
		if c := t.Compression; c != nil {
			f = append(f,
				row(fr, p+"compression.algorithm", q(c.Algorithm)),
				row(fr, p+"compression.mode", q(c.Mode)))
		}
	}
	return f
}
