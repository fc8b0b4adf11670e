package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/alecthomas/kong"

	"github.com/pubsubctl/pubsubctl/model"
)

// CompletionCmd prints a shell completion script. The script asks the
// binary itself what to offer (the hidden __complete command), so that
// commands and flags come from the grammar and addresses from the
// configuration, through the same loader as plan.
type CompletionCmd struct {
	Shell string `arg:"" enum:"bash,zsh,fish" help:"Shell to print the script for: bash, zsh or fish."`
}

// Help is the long help of completion.
func (*CompletionCmd) Help() string {
	return `Prints a completion script for bash (4.1 or later), zsh or fish. It completes commands,
flags and their values (--color, --format, ...), directories for DIR arguments, files
for --out and --var-file, and, for --target and forget, the resource addresses of the
configuration in the current directory, or in the directory already typed, including
for_each instances such as subscription.orders["eu"]. Completions come from the
pubsubctl binary on your PATH, so they follow the installed version.

Exit status: 0 printed; 1 on a usage error (such as an unknown shell).

Install:
  bash, this session:       source <(pubsubctl completion bash)
  bash, every session:      pubsubctl completion bash > ~/.local/share/bash-completion/completions/pubsubctl
                            (needs the bash-completion package; or add the first line to ~/.bashrc)
  zsh, this session:        source <(pubsubctl completion zsh)     # after compinit
  zsh, every session:       pubsubctl completion zsh > "${fpath[1]}/_pubsubctl"
                            (any directory of $fpath, before compinit runs; then start a new shell)
  fish, this session:       pubsubctl completion fish | source
  fish, every session:      pubsubctl completion fish > ~/.config/fish/completions/pubsubctl.fish`
}

// Run prints the script.
func (c *CompletionCmd) Run(rc *runContext, k *kong.Context) error {
	name := k.Model.Name
	var script string
	switch c.Shell {
	case "bash":
		script = bashScript
	case "zsh":
		script = zshScript
	case "fish":
		script = fishScript
	}
	_, err := io.WriteString(rc.stdout, strings.ReplaceAll(script, "PROG", name))
	return err
}

// CompleteCmd answers the completion scripts: given the command line up
// to the cursor, it prints one candidate a line ("VALUE<TAB>DESCRIPTION"
// for zsh and fish; for bash the text to insert, quoted) and then a
// directive line: ":files" or ":dirs" when the shell should also complete
// paths, else ":".
type CompleteCmd struct {
	Shell string `arg:"" enum:"bash,zsh,fish" help:"The shell asking."`
	Line  string `arg:"" optional:"" help:"The command line up to the cursor, as typed (quotes and escapes included)."`
}

// Run prints the candidates. It never fails because of the command line
// or the configuration: a completion that cannot help offers nothing.
func (c *CompleteCmd) Run(rc *runContext, k *kong.Context) error {
	cl := splitCommandLine(c.Line)
	comp := (&completer{app: k.Model, addresses: rc.completionAddresses}).complete(cl.words, cl.cur)
	var b strings.Builder
	var bashPrefix string
	if c.Shell == "bash" {
		bashPrefix = cl.bashPrefix(rc.env.Get("PUBSUBCTL_COMP_WORDBREAKS"))
	}
	for _, cand := range comp.candidates {
		v := comp.prefix + cand.value
		if !strings.HasPrefix(v, cl.cur) {
			continue
		}
		if c.Shell == "bash" {
			// Readline replaces only the text after the last word break
			// (an = of --flag=value) or an open quote: give it that part,
			// quoted for where it goes.
			if !strings.HasPrefix(v, bashPrefix) {
				continue
			}
			b.WriteString(shellQuoteAs(v[len(bashPrefix):], cl.quote))
		} else {
			b.WriteString(v)
			if cand.desc != "" {
				b.WriteString("\t" + cand.desc)
			}
		}
		b.WriteByte('\n')
	}
	b.WriteString(":" + comp.paths + "\n")
	_, err := io.WriteString(rc.stdout, b.String())
	return err
}

// candidate is one completion and what it is.
type candidate struct{ value, desc string }

// completion is what the word under the cursor can become.
type completion struct {
	candidates []candidate
	prefix     string // before every candidate: "--flag=" when completing --flag=VALUE
	paths      string // "files" or "dirs" when the shell should complete paths too
}

// completer walks kong's model of the grammar over the words typed.
type completer struct {
	app *kong.Application
	// addresses lists the resource addresses of the configurations in
	// dirs, with the variables and project typed so far.
	addresses func(dirs []string, g Globals, withSchemas bool) []candidate
}

// typed is what the words before the cursor said.
type typed struct {
	node  *kong.Node
	flags map[string][]string // flag values, by flag name
	args  []string            // positional values that name a configuration (DIR or PATH)
}

func (c *completer) complete(words []string, cur string) completion {
	t := typed{node: c.app.Node, flags: map[string][]string{}}
	pos := 0
	var pending *kong.Flag // a flag whose value is the next word
	dashdash, help := false, false
	if len(words) > 0 {
		words = words[1:] // the program
	}
	for _, w := range words {
		switch {
		case pending != nil:
			t.flags[pending.Name] = append(t.flags[pending.Name], w)
			pending = nil
		case !dashdash && w == "--":
			dashdash = true
		case !dashdash && len(w) > 1 && w[0] == '-':
			f, value, hasValue := c.flag(t.node, w)
			switch {
			case f == nil || !takesValue(f):
				if f != nil {
					t.flags[f.Name] = append(t.flags[f.Name], "")
				}
			case hasValue:
				t.flags[f.Name] = append(t.flags[f.Name], value)
			default:
				pending = f
			}
		case !dashdash && pos == 0 && child(t.node, w) != nil:
			t.node = child(t.node, w)
		case !dashdash && t.node == c.app.Node && w == "help":
			help = true // help [COMMAND...]: the rest are commands
		case pos < len(t.node.Positional):
			p := t.node.Positional[pos]
			if k := valueKind(p); k == "dirs" || k == "files" {
				t.args = append(t.args, w)
			}
			if !p.IsCumulative() {
				pos++
			}
		}
	}
	if pending != nil {
		return c.values(pending.Value, t)
	}
	if !dashdash && strings.HasPrefix(cur, "-") {
		if name, _, ok := strings.Cut(cur, "="); ok {
			if f, _, _ := c.flag(t.node, name); f != nil && takesValue(f) {
				comp := c.values(f.Value, t)
				comp.prefix = name + "="
				return comp
			}
			return completion{}
		}
		return completion{candidates: c.flagNames(t, cur)}
	}
	var comp completion
	if pos == 0 && !dashdash {
		for _, n := range t.node.Children {
			if !n.Hidden {
				comp.candidates = append(comp.candidates, candidate{n.Name, n.Help})
			}
		}
		if t.node == c.app.Node && !help {
			comp.candidates = append(comp.candidates, candidate{"help", "Show help for a command."})
		}
	}
	if !help && pos < len(t.node.Positional) {
		v := c.values(t.node.Positional[pos], t)
		comp.candidates = append(comp.candidates, v.candidates...)
		comp.paths = v.paths
	}
	return comp
}

// values completes a value of a flag or positional argument, by what the
// grammar says it is: one of an enum, a resource address, a directory or
// a file.
func (c *completer) values(v *kong.Value, t typed) completion {
	if v.Enum != "" {
		var cs []candidate
		for _, e := range v.EnumSlice() {
			cs = append(cs, candidate{value: e})
		}
		return completion{candidates: cs}
	}
	switch k := valueKind(v); k {
	case "address":
		dirs := append([]string(nil), t.flags["dir"]...)
		for _, a := range t.args {
			if info, err := os.Stat(a); err == nil && (info.IsDir() || strings.HasSuffix(a, ".hcl")) {
				dirs = append(dirs, a)
			}
		}
		if len(dirs) == 0 {
			dirs = []string{"."}
		}
		g := Globals{Var: t.flags["var"], VarFile: t.flags["var-file"]}
		if p := t.flags["project"]; len(p) > 0 {
			g.Project = p[len(p)-1]
		}
		// forget refuses schemas (they carry no labels); --target takes any.
		return completion{candidates: c.addresses(dirs, g, t.node.Name != "forget")}
	case "dirs", "files":
		return completion{paths: k}
	}
	return completion{}
}

// valueKind says what a value names, from its name, placeholder and type:
// "address", "dirs", "files" or "" (nothing to complete).
func valueKind(v *kong.Value) string {
	ph := strings.ToUpper(v.Name)
	if v.Flag != nil && v.Flag.PlaceHolder != "" {
		ph = v.Flag.PlaceHolder
	} else if v.Tag != nil && v.Tag.PlaceHolder != "" {
		ph = v.Tag.PlaceHolder
	}
	typ := ""
	if v.Tag != nil {
		typ = v.Tag.Type
	}
	switch {
	case strings.HasPrefix(ph, "ADDRESS"):
		return "address"
	case strings.HasPrefix(ph, "DIR") || typ == "existingdir":
		return "dirs"
	case strings.HasPrefix(ph, "FILE") || strings.HasPrefix(ph, "PATH") || typ == "path" || typ == "existingfile":
		return "files"
	}
	return ""
}

// flag finds the flag a word names: --name[=value], a Terraform-style
// -name[=value], or a cluster of short flags (-v).
func (c *completer) flag(n *kong.Node, w string) (f *kong.Flag, value string, hasValue bool) {
	name := strings.TrimPrefix(strings.TrimPrefix(w, "-"), "-")
	name, value, hasValue = strings.Cut(name, "=")
	for _, group := range n.AllFlags(false) {
		for _, fl := range group {
			if strings.HasPrefix(w, "--") || len(name) > 1 {
				if fl.Name == name || slices.Contains(fl.Aliases, name) {
					return fl, value, hasValue
				}
				continue
			}
			if fl.Short != 0 && string(fl.Short) == name {
				return fl, value, hasValue
			}
		}
	}
	return nil, "", false
}

// flagNames lists the flags of the command and its parents that the
// word can start, leaving out those given already (unless repeatable).
func (c *completer) flagNames(t typed, cur string) []candidate {
	var cs []candidate
	for _, group := range t.node.AllFlags(true) {
		for _, f := range group {
			if _, given := t.flags[f.Name]; given && !f.IsCumulative() {
				continue
			}
			name := "--" + f.Name
			if !strings.HasPrefix(cur, "--") && len(cur) > 1 {
				name = "-" + f.Name // Terraform's spelling, as typed
			}
			if strings.HasPrefix(name, cur) {
				cs = append(cs, candidate{name, firstSentence(f.Help)})
			}
		}
	}
	return cs
}

func takesValue(f *kong.Flag) bool { return !f.IsBool() && !f.IsCounter() }

func child(n *kong.Node, name string) *kong.Node {
	for _, c := range n.Children {
		if c.Name == name || slices.Contains(c.Aliases, name) {
			return c
		}
	}
	return nil
}

// firstSentence shortens a help text to a description line.
func firstSentence(s string) string {
	for i := 0; ; {
		j := strings.Index(s[i:], ". ")
		if j < 0 {
			break
		}
		if end := s[:i+j]; !strings.HasSuffix(end, "e.g") && !strings.HasSuffix(end, "i.e") {
			s = end
			break
		}
		i += j + 2
	}
	return strings.TrimSuffix(s, ".")
}

// completionAddresses loads each configuration with the real loader (its
// diagnostics discarded: a completion prints nothing else) and lists the
// addresses of its resources: every for_each instance, and the block's
// address without a key, which selects them all.
func (rc *runContext) completionAddresses(dirs []string, g Globals, withSchemas bool) []candidate {
	quiet := &runContext{ctx: rc.ctx, env: rc.env, stdout: io.Discard, stderr: io.Discard, g: &g}
	seen := map[string]bool{}
	var addrs []model.Address
	descs := map[string]string{}
	for _, dir := range dirs {
		if abs, err := filepath.Abs(dir); err == nil {
			dir = abs
		}
		res, _, _ := quiet.load(dir)
		if res == nil || res.Config == nil {
			continue
		}
		// Anything sensitive stays hidden, as in every other output.
		rc.addSecrets(res.Secrets())
		for _, r := range res.Config.Resources() {
			a := r.Address()
			if a.Kind == model.KindSchema && !withSchemas {
				continue
			}
			add := func(a model.Address, desc string) {
				if !seen[a.String()] {
					seen[a.String()] = true
					addrs = append(addrs, a)
					descs[a.String()] = desc
				}
			}
			if a.HasKey {
				add(model.Address{Kind: a.Kind, Name: a.Name}, "every instance")
			}
			add(a, fmt.Sprintf("%s %s", a.Kind, r.ID()))
		}
	}
	slices.SortFunc(addrs, func(a, b model.Address) int {
		switch {
		case a.Less(b):
			return -1
		case b.Less(a):
			return 1
		}
		return strings.Compare(a.String(), b.String()) // an instance after its block
	})
	cs := make([]candidate, len(addrs))
	for i, a := range addrs {
		cs[i] = candidate{a.String(), descs[a.String()]}
	}
	return cs
}
