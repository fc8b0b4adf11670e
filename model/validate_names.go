package model

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// ---- pubsubctl block -------------------------------------------------------

func (v *validator) project() {
	c := v.c
	m := &c.Meta
	switch {
	case c.Project == "":
		v.errorf(m.Range("project"), "Missing project ID",
			"Set project in the pubsubctl block (or pass --project, or set PUBSUBCTL_PROJECT or GOOGLE_CLOUD_PROJECT).")
	case !IsProjectID(c.Project):
		v.errorf(m.Range("project"), "Invalid project ID",
			"%q is not a project ID. Project IDs are 6 to 30 characters long, start with a lower-case letter, contain only lower-case letters, digits and hyphens, and do not end with a hyphen (e.g. \"my-project-123\"). Use the project ID, not its display name or number.",
			c.Project)
	}
	switch {
	case c.Stack == "":
		v.errorf(m.Range("stack"), "Missing stack name",
			"Set stack in the pubsubctl block. The stack name is written to the %s label of every managed resource, so it must be a valid label value: 1 to 63 lower-case letters, digits, underscores or hyphens.",
			LabelStack)
	case !labelValueRE.MatchString(c.Stack):
		v.errorf(m.Range("stack"), "Invalid stack name",
			"%q cannot be used as a stack name. The stack name is written to the %s label of every managed resource, so it must be a valid label value: at most 63 lower-case letters, digits, underscores or hyphens (e.g. \"shop-prod\").",
			c.Stack, LabelStack)
	}
	if c.ProjectNumber != "" && !projectNumberRE.MatchString(c.ProjectNumber) {
		v.errorf(m.Range("project_number"), "Invalid project number",
			"%q is not a project number. The project number is the numeric identifier of the project (e.g. \"123456789012\"), not its ID; find it with `gcloud projects describe PROJECT_ID --format='value(projectNumber)'`.",
			c.ProjectNumber)
	}
}

// ---- names -----------------------------------------------------------------

// IDProblem returns what is wrong with a topic, subscription or schema ID,
// or "" when the ID is valid.
func IDProblem(id string) string {
	n := len(id)
	switch {
	case id == "":
		return "the name is empty"
	case n < 3:
		return fmt.Sprintf("%q is %d characters long; the minimum is 3", id, n)
	case n > maxIDLength:
		return fmt.Sprintf("the name is %d characters long; the maximum is %d", n, maxIDLength)
	case !isASCIILetter(id[0]):
		return fmt.Sprintf("%q starts with %q; names must start with a letter", id, id[:1])
	case strings.HasPrefix(strings.ToLower(id), "goog"):
		return fmt.Sprintf("%q starts with \"goog\", which is reserved by Google", id)
	}
	for _, r := range id {
		if !isIDChar(r) {
			return fmt.Sprintf("%q contains %q; only letters, digits and - _ . ~ + %% are allowed", id, r)
		}
	}
	return ""
}

const idRules = "Topic, subscription and schema names are 3 to 255 characters long, start with a letter, contain only letters, digits and - _ . ~ + %, and must not start with \"goog\"."

func isASCIILetter(b byte) bool { return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' }

func isIDChar(r rune) bool {
	return r < 128 && (isASCIILetter(byte(r)) || r >= '0' && r <= '9' || strings.ContainsRune("-_.~+%", r))
}

func (v *validator) names() {
	type decl struct {
		res Resource
		r   hcl.Range
	}
	// Origins whose own name is already reported: their derived names are
	// not reported again.
	badOrigin := map[Address]bool{}
	checkKind := func(kind Kind, list []Resource) {
		seen := map[string]decl{}
		for _, res := range list {
			from := DerivedFrom(res)
			name := res.ID()
			r := res.Metadata().Range("name")
			if from != nil {
				if o, ok := v.userSubs[*from]; ok {
					r = o.Meta.Range("name")
				}
			}
			switch {
			case from == nil:
				if p := IDProblem(name); p != "" {
					v.errorf(r, "Invalid "+kind.String()+" name", "%s: %s. %s", describe(res), p, idRules)
					badOrigin[res.Address()] = true
					continue
				}
			case badOrigin[*from]:
				continue
			default:
				if p := IDProblem(name); p != "" {
					badOrigin[*from] = true
					v.errorf(r, "Invalid dead-letter name",
						"pubsubctl names the dead-letter topic and subscription it creates for %s after it, plus %q, and %s. %s Shorten the subscription name, or dead-letter to an existing topic with dead_letter { topic = ... }.",
						from, DeadLetterSuffix, strings.Replace(p, "the name is", "that name is", 1), idRules)
					continue
				}
			}
			first, dup := seen[name]
			if !dup {
				seen[name] = decl{res, r}
				continue
			}
			if from != nil {
				v.errorf(r, "Duplicate "+kind.String()+" name",
					"pubsubctl creates the dead-letter %s %q for %s (its name plus %q), but %s at %s already uses that name. Names must be unique per project: rename one of them, or dead-letter to the existing topic with dead_letter { topic = ... }.",
					kind, name, from, DeadLetterSuffix, describe(first.res), at(first.r))
				continue
			}
			badOrigin[res.Address()] = true
			v.errorf(r, "Duplicate "+kind.String()+" name",
				"%s is named %q, like %s declared at %s. %s names must be unique per project: rename one of them (with for_each, make name depend on each.key).",
				describe(res), name, describe(first.res), at(first.r), capitalize(kind.String()))
		}
	}
	var schemas, topics, subs []Resource
	for _, s := range v.c.Schemas {
		schemas = append(schemas, s)
	}
	for _, s := range v.c.Subscriptions {
		subs = append(subs, s)
	}
	for _, t := range v.c.Topics {
		topics = append(topics, t)
	}
	checkKind(KindSchema, schemas)
	// Subscriptions first, so that a bad or duplicate subscription name is
	// known before its derived dead-letter topic is checked.
	checkKind(KindSubscription, subs)
	checkKind(KindTopic, topics)
}
