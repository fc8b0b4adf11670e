package export

import (
	"strings"

	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/pubsubctl/pubsubctl/model"
)

// setStr writes a string argument when it is set.
func setStr(b *hclwrite.Body, name, v string) {
	if v != "" {
		b.SetAttributeValue(name, cty.StringVal(v))
	}
}

// writeTags writes a resource's tags.
func writeTags(b *hclwrite.Body, tags map[string]string) {
	if len(tags) > 0 {
		b.SetAttributeRaw(model.TopicTags.Name, strMap(tags))
	}
}

// ingestionBlock writes a topic's ingestion block.
func ingestionBlock(b *hclwrite.Body, in *model.Ingestion) {
	if in == nil {
		return
	}
	nb := b.AppendNewBlock(model.TopicIngestion.Name, nil).Body()
	for _, src := range model.IngestionSources {
		if args := src.Args(in); args != nil {
			sb := nb.AppendNewBlock(src.Block, nil).Body()
			for _, a := range args {
				setStr(sb, a.Name, *a.Value)
			}
		}
	}
	if c := in.CloudStorage; c != nil {
		sb := nb.AppendNewBlock("cloud_storage", nil).Body()
		setStr(sb, "bucket", c.Bucket)
		setStr(sb, "match_glob", c.MatchGlob)
		setStr(sb, "minimum_object_create_time", c.MinimumObjectCreateTime)
		switch c.Format {
		case "avro":
			sb.AppendNewBlock("avro_format", nil)
		case "pubsub_avro":
			sb.AppendNewBlock("pubsub_avro_format", nil)
		default:
			if c.TextDelimiter != nil {
				sb.AppendNewBlock("text_format", nil).Body().SetAttributeValue("delimiter", cty.StringVal(*c.TextDelimiter))
			}
		}
	}
	if in.PlatformLogs != "" {
		nb.AppendNewBlock("platform_logs", nil).Body().SetAttributeValue("severity", cty.StringVal(in.PlatformLogs))
	}
}

// transformBlocks writes the message_transform blocks of a topic or
// subscription, in order. UDF code is written as a heredoc when it spans
// lines and has no "${" or "%{" (which a heredoc would interpolate).
func transformBlocks(b *hclwrite.Body, ts []model.MessageTransform) {
	for _, t := range ts {
		nb := b.AppendNewBlock(model.TopicTransforms.Name, nil).Body()
		if t.Disabled {
			nb.SetAttributeValue("enabled", cty.False)
		}
		if u := t.JavaScriptUDF; u != nil {
			ub := nb.AppendNewBlock("javascript_udf", nil).Body()
			ub.SetAttributeValue("function_name", cty.StringVal(u.FunctionName))
			ub.SetAttributeRaw("code", codeTokens(u.Code))
		}
		if a := t.AIInference; a != nil {
			ab := nb.AppendNewBlock("ai_inference", nil).Body()
			setStr(ab, "endpoint", a.Endpoint)
			setStr(ab, "service_account", a.ServiceAccount)
			setStr(ab, "parameters", a.Parameters)
		}
		if c := t.Compression; c != nil {
			cb := nb.AppendNewBlock("compression", nil).Body()
			setStr(cb, "algorithm", c.Algorithm)
			setStr(cb, "mode", c.Mode)
		}
	}
}

func codeTokens(code string) hclwrite.Tokens {
	if !strings.HasSuffix(code, "\n") || strings.Contains(code, "${") || strings.Contains(code, "%{") ||
		strings.Contains(code, "\nEOT\n") || strings.HasPrefix(code, "EOT\n") || strings.ContainsAny(code, "\r") {
		return str(code)
	}
	return hclwrite.Tokens{
		{Type: hclsyntax.TokenOHeredoc, Bytes: []byte("<<EOT\n")},
		{Type: hclsyntax.TokenStringLit, Bytes: []byte(code)},
		{Type: hclsyntax.TokenCHeredoc, Bytes: []byte("EOT")},
	}
}

// bigtableBlock writes a subscription's bigtable block.
func bigtableBlock(b *hclwrite.Body, bt *model.BigtableConfig) {
	if bt == nil {
		return
	}
	nb := b.AppendNewBlock(model.SubBigtable.Name, nil).Body()
	nb.SetAttributeValue("table", cty.StringVal(bt.Table))
	setStr(nb, "app_profile_id", bt.AppProfileID)
	setTrue(nb, "write_metadata", bt.WriteMetadata)
	setStr(nb, "service_account", bt.ServiceAccount)
}
