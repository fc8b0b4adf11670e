package render

import "github.com/pubsubctl/pubsubctl/model"

// sourceText is what the renderers say about where a value came from.
type sourceText struct {
	marker  string // after the value in the human plan
	comment string // the human plan's provenance comment, with -v
}

var sourceTexts = map[model.Source]sourceText{
	model.SourceUnset:    {comment: "Pub/Sub default"},
	model.SourceUser:     {comment: "from configuration"},
	model.SourceDefaults: {marker: " (defaults block)", comment: "from defaults block"},
	model.SourceBuiltin:  {marker: " (default)", comment: "from pubsubctl default"},
	model.SourceLive:     {comment: "from live state"},
}

// textOf returns the texts of s; any other value (removed) has no marker
// and no comment. (The JSON plan names a source by model.Source.Name.)
func textOf(s model.Source) sourceText {
	if t, ok := sourceTexts[s]; ok {
		return t
	}
	return sourceText{}
}
