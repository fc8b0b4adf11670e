package config

import (
	"errors"
	"fmt"

	"github.com/hashicorp/hcl/v2"

	"github.com/pubsubctl/pubsubctl/internal/schemacheck"
	"github.com/pubsubctl/pubsubctl/internal/transform"
	"github.com/pubsubctl/pubsubctl/model"
)

// checkUDFs parses the code of every JavaScript UDF offline (package
// transform, goja's parser) and reports a syntax error where it is: at its
// line in a heredoc, at its line in a file() script, otherwise at the code
// attribute with the line and column inside the code in the message. A
// function_name model.Validate rejects is not checked here.
func (l *loader) checkUDFs(cfg *model.Config) hcl.Diagnostics {
	if !checkDefinitions {
		return nil
	}
	var diags hcl.Diagnostics
	check := func(res model.Resource, ts []model.MessageTransform) {
		for i, t := range ts {
			u := t.JavaScriptUDF
			if u == nil || u.Code == "" || !model.IsJSIdentifier(u.FunctionName) {
				continue
			}
			_, err := transform.Compile(transform.UDF{FunctionName: u.FunctionName, Code: u.Code})
			if err == nil {
				continue
			}
			attr := res.Metadata().Range(fmt.Sprintf("%s.%d.javascript_udf.code", model.TopicTransforms.Name, i))
			var se *transform.SyntaxError
			p := schemacheck.Problem{Message: err.Error()}
			if errors.As(err, &se) {
				p = schemacheck.Problem{Message: se.Message, Line: se.Line, Column: se.Column}
			}
			subject, where := l.definitionSource(attr, u.Code).locate(p, attr)
			diags = append(diags, model.NewDiagnostic(hcl.DiagError, subject, "Invalid JavaScript UDF",
				"The code of UDF %s of %s does not compile: %s%s. It must declare function %s(message, metadata) at its top level; Pub/Sub parses it when the transform is set.",
				u.FunctionName, model.Describe(res), p.Message, where, u.FunctionName))
		}
	}
	for _, t := range cfg.Topics {
		check(t, t.Transforms)
	}
	for _, s := range cfg.Subscriptions {
		check(s, s.Transforms)
	}
	return diags
}
