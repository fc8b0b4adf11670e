package config

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestUnreadableEntries: *.hcl entries that cannot be read as regular
// files are errors naming the file, not silently skipped.
func TestUnreadableEntries(t *testing.T) {
	noValidate(t)
	dir := writeDir(t, map[string]string{"main.hcl": header + `topic "orders" {}` + "\n", "other/x.hcl": "garbage {"})
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.Symlink("missing.hcl", filepath.Join(dir, "dangling.hcl")))
	must(os.Symlink("loop-b.hcl", filepath.Join(dir, "loop-a.hcl")))
	must(os.Symlink("loop-a.hcl", filepath.Join(dir, "loop-b.hcl")))
	must(syscall.Mkfifo(filepath.Join(dir, "pipe.hcl"), 0o600))
	// A link to a directory is a subdirectory: ignored, like a plain one.
	must(os.Symlink("other", filepath.Join(dir, "dir.hcl")))
	must(os.Mkdir(filepath.Join(dir, "sub.hcl"), 0o755))
	// A link to a regular file is read.
	must(os.WriteFile(filepath.Join(dir, "real.txt"), []byte(`topic "linked" {}`+"\n"), 0o644))
	must(os.Symlink("real.txt", filepath.Join(dir, "linked.hcl")))

	_, diags := Load(Options{Dir: dir})
	wantDiags(t, diags,
		"dangling.hcl:1,1: error: Cannot read configuration file; dangling.hcl is a symbolic link that cannot be followed (its target missing.hcl does not exist)",
		"loop-a.hcl:1,1: error: Cannot read configuration file; loop-a.hcl is a symbolic link that cannot be followed (it points to loop-b.hcl, which leads back to itself (a link loop))",
		"loop-b.hcl:1,1: error: Cannot read configuration file; loop-b.hcl is a symbolic link that cannot be followed",
		"pipe.hcl:1,1: error: Cannot read configuration file; pipe.hcl is a named pipe (FIFO), not a regular file",
	)

	// Without the broken entries the directory loads, the linked file too.
	for _, name := range []string{"dangling.hcl", "loop-a.hcl", "loop-b.hcl", "pipe.hcl"} {
		must(os.Remove(filepath.Join(dir, name)))
	}
	res, diags := Load(Options{Dir: dir})
	if diags.HasErrors() {
		t.Fatalf("unexpected:\n%s", diagLines(diags))
	}
	if n := len(res.Config.Topics); n != 2 {
		t.Errorf("%d topics, want 2 (main.hcl and the linked file)", n)
	}
}

// TestConfigurationNotADirectory: a device or named pipe given as the
// configuration is refused at once.
func TestConfigurationNotADirectory(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		"/dev/zero": "zero:1,1: error: Not a configuration; /dev/zero is a character device",
		fifo:        "pipe:1,1: error: Not a configuration; " + fifo + " is a named pipe (FIFO)",
	} {
		_, diags := Load(Options{Dir: path})
		wantDiags(t, diags, want)
	}
}

// TestVarFileProblems: a var-file that cannot be read is one error (the
// variables it would have set are not also reported as missing), and
// devices, pipes and large files are refused without reading them.
func TestVarFileProblems(t *testing.T) {
	noValidate(t)
	src := header + `variable "region" { type = string }` + "\n"
	tmp := t.TempDir()
	fifo := filepath.Join(tmp, "vars.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(tmp, "big.vars")
	if err := os.WriteFile(big, make([]byte, MaxFileBytes+1), 0o644); err != nil {
		t.Fatal(err)
	}
	deep := filepath.Join(tmp, "deep.json")
	if err := os.WriteFile(deep, []byte(`{"region": `+repeat("[", 200)+`}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for file, want := range map[string]string{
		"/dev/zero": "zero:1,1: error: Cannot read variable file; --var-file /dev/zero: /dev/zero is a character device, not a regular file.",
		fifo:        "vars.fifo:1,1: error: Cannot read variable file; --var-file " + fifo + ": " + fifo + " is a named pipe (FIFO), not a regular file.",
		big:         "big.vars:1,1: error: Cannot read variable file; --var-file " + big + ": " + big + " has 4,194,305 bytes; the limit is 4 MiB (4,194,304 bytes) for a variable file.",
		deep:        "deep.json:1,111: error: Nesting too deep;",
	} {
		_, diags := loadSrc(t, src, Options{VarFiles: []string{file}})
		wantDiags(t, diags, want)
	}
}

// TestMissingPubsubctlBlockChecksTheRest: the missing block is one error,
// and every other problem is reported with it.
func TestMissingPubsubctlBlockChecksTheRest(t *testing.T) {
	src := `topic "orders" {
  message_retention = "1m"
}
subscription "orders-sub" {
  topic = topic.ordres
}
`
	_, diags := loadSrc(t, src, Options{})
	wantDiags(t, diags,
		"main.hcl:1,1: error: Missing pubsubctl block; A configuration needs exactly one pubsubctl block",
		`main.hcl:5,11: error: Reference to undeclared topic; A topic labelled "ordres" has not been declared. Did you mean "orders"?`,
	)
	src = `topic "orders" {
  message_retention = "1m"
}
`
	res, diags := loadSrc(t, src, Options{})
	wantDiags(t, diags,
		"main.hcl:1,1: error: Missing pubsubctl block;",
		"main.hcl:2,23: error: Invalid message retention;",
	)
	if res.Config.Project != placeholderProject {
		t.Errorf("project %q", res.Config.Project)
	}
	// --project or the environment still set the project.
	res, _ = loadSrc(t, src, Options{Project: "real-project"})
	if res.Config.Project != "real-project" {
		t.Errorf("project %q", res.Config.Project)
	}
}

func repeat(s string, n int) string {
	out := ""
	for i := 0; i < n; i++ {
		out += s
	}
	return out
}
