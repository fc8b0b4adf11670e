package cli

import (
	"strings"

	"github.com/alecthomas/kong"
)

// terraformArgs rewrites the spellings Terraform users type into the ones
// the grammar declares, so that habits carry over:
//
//   - a long flag with one dash (-out=plan, -auto-approve,
//     -detailed-exitcode, -var 'a=b', -version) becomes --out=plan, ...,
//     when the name is a flag of the grammar (a one-letter name such as -v
//     stays a short flag);
//   - `help [COMMAND...]` becomes `[COMMAND...] --help`.
//
// Arguments after "--" are left alone.
func terraformArgs(args []string, longFlags map[string]bool) []string {
	out := make([]string, 0, len(args))
	for i, a := range args {
		if a == "--" {
			return append(out, args[i:]...)
		}
		if len(a) > 2 && a[0] == '-' && a[1] != '-' && isLetter(a[1]) {
			name, _, _ := strings.Cut(a[1:], "=")
			if longFlags[name] {
				a = "-" + a
			}
		}
		out = append(out, a)
	}
	if len(out) > 0 && out[0] == "help" {
		out = append(out[1:], "--help")
	}
	return out
}

func isLetter(b byte) bool { return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' }

// longFlagNames returns every long flag name of the grammar, any command.
func longFlagNames(app *kong.Application) map[string]bool {
	names := map[string]bool{}
	var walk func(n *kong.Node)
	walk = func(n *kong.Node) {
		for _, f := range n.Flags {
			if len(f.Name) > 1 {
				names[f.Name] = true
			}
			for _, a := range f.Aliases {
				if len(a) > 1 {
					names[a] = true
				}
			}
		}
		for _, c := range n.Children {
			walk(c)
		}
	}
	walk(app.Node)
	return names
}
