package render

import (
	"encoding/json"
	"io"

	"github.com/pubsubctl/pubsubctl/model"
	"github.com/pubsubctl/pubsubctl/plan"
)

// The types below are the JSON form of a plan, version 2. They are
// documented field by field in docs/plan-json.md and described by
// docs/plan.schema.json; change all three together. Every field is always
// present: lists are [] rather than absent, and "no value" is null.
type (
	jsonPlan struct {
		FormatVersion string          `json:"format_version"`
		Project       string          `json:"project"`
		Stack         string          `json:"stack"`
		Target        string          `json:"target"`
		LiveDigest    string          `json:"live_digest"`
		IAMSupported  bool            `json:"iam_supported"`
		Adopt         bool            `json:"adopt"`
		Targets       []string        `json:"targets"`
		Summary       jsonSummary     `json:"summary"`
		HasChanges    bool            `json:"has_changes"`
		Destructive   bool            `json:"destructive"`
		Changes       []jsonChange    `json:"changes"`
		IAM           []jsonIAM       `json:"iam"`
		Unmanaged     []jsonUnmanaged `json:"unmanaged"`
		Warnings      []string        `json:"warnings"`
	}

	jsonSummary struct {
		Create    int `json:"create"`
		Update    int `json:"update"`
		Replace   int `json:"replace"`
		Delete    int `json:"delete"`
		Adopt     int `json:"adopt"`
		IAM       int `json:"iam"`
		Unchanged int `json:"unchanged"`
	}

	jsonChange struct {
		Address        string      `json:"address"`
		Kind           string      `json:"kind"`
		ID             string      `json:"id"`
		Name           string      `json:"name"`
		Action         string      `json:"action"`
		Destructive    bool        `json:"destructive"`
		Fields         []jsonField `json:"fields"`
		ReplaceReasons []string    `json:"replace_reasons"`
		Warnings       []string    `json:"warnings"`
		RequiresFlag   *string     `json:"requires_flag"`
		PreventDestroy bool        `json:"prevent_destroy"`
		NewRevision    bool        `json:"new_revision"`
		DerivedFrom    *string     `json:"derived_from"`
		DependsOn      []string    `json:"depends_on"`
	}

	jsonField struct {
		Path          string `json:"path"`
		Before        any    `json:"before"`
		After         any    `json:"after"`
		Source        string `json:"source"`
		ForcesReplace bool   `json:"forces_replace"`
		Sensitive     bool   `json:"sensitive"`
	}

	jsonIAM struct {
		Address     string       `json:"address"`
		Kind        string       `json:"kind"`
		Name        string       `json:"name"`
		External    bool         `json:"external"`
		WholePolicy bool         `json:"whole_policy"`
		Members     []jsonMember `json:"members"`
		DependsOn   []string     `json:"depends_on"`
	}

	jsonMember struct {
		Role   string `json:"role"`
		Member string `json:"member"`
		Action string `json:"action"`
		Origin string `json:"origin"`
	}

	jsonUnmanaged struct {
		Address  string  `json:"address"`
		Kind     string  `json:"kind"`
		ID       string  `json:"id"`
		Stack    *string `json:"stack"`
		InConfig bool    `json:"in_config"`
	}
)

// JSON writes the plan's versioned JSON form (format_version "2",
// docs/plan-json.md): one indented object followed by a newline.
func JSON(w io.Writer, p *plan.Plan) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(toJSON(p))
}

func toJSON(p *plan.Plan) jsonPlan {
	c := p.Counts()
	out := jsonPlan{
		FormatVersion: plan.FormatVersion,
		Project:       p.Project,
		Stack:         p.Stack,
		Target:        p.Target,
		LiveDigest:    p.LiveDigest,
		IAMSupported:  p.IAMSupported,
		Adopt:         p.Adopt,
		Targets:       nonNil(p.Targets),
		Summary: jsonSummary{
			Create: c.Create, Update: c.Update, Replace: c.Replace, Delete: c.Delete,
			Adopt: c.Adopt, IAM: c.IAM, Unchanged: p.Unchanged,
		},
		HasChanges:  p.HasChanges(),
		Destructive: len(p.Destructive()) > 0,
		Changes:     []jsonChange{},
		IAM:         []jsonIAM{},
		Unmanaged:   []jsonUnmanaged{},
		Warnings:    nonNil(p.Warnings),
	}
	for _, ch := range p.Changes {
		jc := jsonChange{
			Address:        ch.Address.String(),
			Kind:           ch.Kind.String(),
			ID:             ch.ID,
			Name:           ch.Name,
			Action:         string(ch.Action),
			Destructive:    ch.Destructive,
			Fields:         []jsonField{},
			ReplaceReasons: nonNil(ch.ReplaceReasons),
			Warnings:       nonNil(ch.Warnings),
			RequiresFlag:   nullable(ch.RequiresFlag),
			PreventDestroy: ch.PreventDestroy,
			NewRevision:    ch.NewRevision,
			DependsOn:      addresses(ch.DependsOn),
		}
		if ch.DerivedFrom != nil {
			s := ch.DerivedFrom.String()
			jc.DerivedFrom = &s
		}
		for _, f := range ch.Fields {
			before, after := f.NativeValues()
			jc.Fields = append(jc.Fields, jsonField{
				Path:          f.Path,
				Before:        before,
				After:         after,
				Source:        f.Source.Name(),
				ForcesReplace: f.ForcesReplace,
				Sensitive:     f.Sensitive,
			})
		}
		out.Changes = append(out.Changes, jc)
	}
	for _, ic := range p.IAM {
		ji := jsonIAM{
			Address:     ic.Address.String(),
			Kind:        ic.Kind.String(),
			Name:        ic.Name,
			External:    external(ic),
			WholePolicy: ic.WholePolicy,
			Members:     []jsonMember{},
			DependsOn:   addresses(ic.DependsOn),
		}
		for _, m := range ic.Members {
			ji.Members = append(ji.Members, jsonMember{Role: m.Role, Member: m.Member, Action: m.Action, Origin: m.Origin})
		}
		out.IAM = append(out.IAM, ji)
	}
	for _, u := range p.Unmanaged {
		out.Unmanaged = append(out.Unmanaged, jsonUnmanaged{
			Address:  u.Address.String(),
			Kind:     u.Kind.String(),
			ID:       u.ID,
			Stack:    nullable(u.Stack),
			InConfig: u.InConfig,
		})
	}
	return out
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func nonNil(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

func addresses(as []model.Address) []string {
	out := make([]string, 0, len(as))
	for _, a := range as {
		out = append(out, a.String())
	}
	return out
}
