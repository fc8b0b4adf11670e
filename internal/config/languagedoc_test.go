package config

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/pubsubctl/pubsubctl/model"
)

// TestLanguageDocCoversSpec keeps docs/language.md honest: every block
// type and argument the loader accepts, and every function, must be
// mentioned in it as `name`, so that the reference cannot silently drift
// from the code.
func TestLanguageDocCoversSpec(t *testing.T) {
	src, err := os.ReadFile("../../docs/language.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(src)
	mentioned := func(name string) bool {
		return strings.Contains(doc, "`"+name+"`") || strings.Contains(doc, "`"+name+" ") ||
			strings.Contains(doc, "`"+name+"(") || strings.Contains(doc, "`"+name+" =")
	}

	var missing []string
	var walk func(path string, spec *bodySpec)
	walk = func(path string, spec *bodySpec) {
		for _, a := range spec.attrs {
			if !mentioned(a) {
				missing = append(missing, "argument "+path+a)
			}
		}
		for _, b := range spec.blocks {
			if !mentioned(b.typ) {
				missing = append(missing, "block "+path+b.typ)
			}
			walk(path+b.typ+".", b.body)
		}
	}
	walk("", rootSpec)
	if n := countAttrs(rootSpec); n < 80 {
		t.Fatalf("walked only %d arguments: is the spec still rootSpec?", n)
	}

	names := make([]string, 0)
	for name := range functions(".") {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if !mentioned(name) {
			missing = append(missing, "function "+name)
		}
	}
	for _, env := range []string{EnvVarPrefix, EnvProject, EnvGoogleProject} {
		if !strings.Contains(doc, env) {
			missing = append(missing, "environment variable "+env)
		}
	}
	// The built-in defaults the doc states are the model's.
	for _, want := range []string{
		fmt.Sprintf("**%ds**", int64(model.DefaultAckDeadline/time.Second)),
		"**" + model.FormatDuration(model.DefaultSubscriptionRetention) + "**",
		fmt.Sprintf("%d attempts", model.DefaultMaxDeliveryAttempts),
		model.FormatDuration(model.DefaultMinimumBackoff) + ".." + fmt.Sprint(int64(model.DefaultMaximumBackoff/time.Second)) + "s",
		"<sub>" + model.DeadLetterSuffix + "`",
		"`" + model.LabelManagedBy + " = \"" + model.ManagedByValue + "\"`",
		"`" + model.LabelStack + " = STACK`",
	} {
		if !strings.Contains(doc, want) {
			missing = append(missing, "built-in default "+want)
		}
	}
	if len(missing) > 0 {
		t.Errorf("docs/language.md does not mention %d things the loader accepts:\n  %s", len(missing), strings.Join(missing, "\n  "))
	}
}

func countAttrs(spec *bodySpec) int {
	n := len(spec.attrs)
	for _, b := range spec.blocks {
		n += 1 + countAttrs(b.body)
	}
	return n
}
