package cli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/rogpeppe/go-internal/diff"

	"github.com/pubsubctl/pubsubctl/internal/config"
	"github.com/pubsubctl/pubsubctl/internal/render"
	"github.com/pubsubctl/pubsubctl/internal/safefile"
)

// ExitFmtCheck is fmt --check's exit code when a file is not formatted
// (Terraform's).
const ExitFmtCheck = 3

// FmtCmd formats configuration files.
type FmtCmd struct {
	Check     bool   `help:"Do not write; exit 3 if any file would change (for CI)."`
	Diff      bool   `help:"Print the changes as a unified diff."`
	Recursive bool   `short:"r" help:"Also format files in subdirectories."`
	Path      string `arg:"" optional:"" default:"." help:"Configuration directory or single .hcl file (default: the current directory)." type:"path"`
}

// Help is the long help of fmt.
func (*FmtCmd) Help() string {
	return `Rewrites every *.hcl file of the directory (with -r, of its subdirectories too) in
canonical HCL formatting and prints the names of the files it changed. Only layout
changes; the configuration is not evaluated.

Exit status: 0 all files formatted (or rewritten), 1 syntax or usage error,
3 with --check when a file would change.

Examples:
  pubsubctl fmt                      # format the configuration in the current directory
  pubsubctl fmt --check --diff -r .  # CI: fail and show the diff when anything is unformatted`
}

// Run formats every *.hcl file.
func (c *FmtCmd) Run(rc *runContext) error {
	files, err := hclFiles(c.Path, c.Recursive)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		hint := ""
		if !c.Recursive {
			hint = " (add -r to include subdirectories)"
		}
		fmt.Fprintf(rc.stderr, "No *.hcl files in %s%s.\n", c.Path, hint)
		return nil
	}
	var unformatted []string
	var diags hcl.Diagnostics
	parsed := map[string]*hcl.File{}
	for _, name := range files {
		src, err := safefile.ReadBounded(name, config.MaxFileBytes)
		if err != nil {
			return err
		}
		if d := config.CheckSource(src, name); d.HasErrors() {
			parsed[name] = &hcl.File{Bytes: src} // for the snippet
			diags = append(diags, d...)
			continue
		}
		f, d := hclsyntax.ParseConfig(src, name, hcl.InitialPos)
		parsed[name] = f
		if d.HasErrors() {
			diags = append(diags, d...)
			continue
		}
		out := config.Format(src)
		if bytes.Equal(src, out) {
			continue
		}
		unformatted = append(unformatted, name)
		if c.Diff {
			rc.stdout.Write(diff.Diff(name, src, name+" (formatted)", out))
		}
		if !c.Check {
			info, err := os.Stat(name)
			if err != nil {
				return err
			}
			if err := os.WriteFile(name, out, info.Mode().Perm()); err != nil {
				return fmt.Errorf("write %s: %w", name, err)
			}
		}
		if !c.Diff {
			fmt.Fprintln(rc.stdout, name)
		}
	}
	if len(diags) > 0 {
		if err := render.Diagnostics(rc.stderr, parsed, diags, render.Options{Color: rc.color(rc.stderr)}); err != nil {
			return err
		}
		return exitCode(ExitError)
	}
	if c.Check && len(unformatted) > 0 {
		fmt.Fprintf(rc.stderr, "%s not formatted; run pubsubctl fmt.\n", plural(len(unformatted), "file"))
		return exitCode(ExitFmtCheck)
	}
	return nil
}

// hclFiles lists the *.hcl files of path (a file or a directory), sorted.
func hclFiles(path string, recursive bool) ([]string, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return []string{path}, nil
	}
	var out []string
	err = filepath.WalkDir(path, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && p != path && !recursive {
			return filepath.SkipDir
		}
		if !d.IsDir() && filepath.Ext(p) == ".hcl" {
			out = append(out, p)
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}
