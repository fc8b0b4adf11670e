package render

import "github.com/pubsubctl/pubsubctl/model"

// sourceText is what the renderers say about where a value came from.
type sourceText struct {
	json    string // the "source" of a field in the JSON plan (docs/plan-json.md)
	marker  string // after the value in the human plan
	comment string // the human plan's provenance comment, with -v
}

var sourceTexts = map[model.Source]sourceText{
	model.SourceUnset:    {json: "unset", comment: "Pub/Sub default"},
	model.SourceUser:     {json: "configuration", comment: "from configuration"},
	model.SourceDefaults: {json: "defaults_block", marker: " (defaults block)", comment: "from defaults block"},
	model.SourceBuiltin:  {json: "builtin", marker: " (default)", comment: "from pubsubctl default"},
	model.SourceLive:     {json: "live", comment: "from live state"},
}

// textOf returns the texts of s; any other value (removed) has no marker
// and no comment and is "unset" in JSON.
func textOf(s model.Source) sourceText {
	if t, ok := sourceTexts[s]; ok {
		return t
	}
	return sourceText{json: "unset"}
}
