package config

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestLoadSingleFile: Dir may name one .hcl file, which is then the whole
// configuration; its siblings are not read, file() resolves against its
// directory, and diagnostics name the file as given.
func TestLoadSingleFile(t *testing.T) {
	noValidate(t)
	dir := writeDir(t, map[string]string{
		"a.hcl":           header + "topic \"a\" {\n  labels = { def = trimspace(file(\"defs/x.txt\")) }\n}\n",
		"b.hcl":           header + "topic \"b\" {}\n", // a second pubsubctl block: would be a duplicate if read
		"defs/x.txt":      "from-file\n",
		"bad.hcl":         header + "topic \"c\" {\n  colour = 1\n}\n",
		"notes.txt":       "not a configuration",
		"dir.hcl/ignored": "",
	})

	res, diags := Load(Options{Dir: filepath.Join(dir, "a.hcl")})
	if len(diags) > 0 {
		t.Fatal(diagLines(diags))
	}
	eq(t, "topics", addrs(res.Config), []string{"topic.a"})
	eq(t, "label from file()", res.Config.Topics[0].Labels["def"], "from-file")
	eq(t, "files", len(res.Files), 1)

	_, diags = Load(Options{Dir: filepath.Join(dir, "bad.hcl")})
	wantDiags(t, diags, "bad.hcl:6,3: error: Unsupported argument;")
	if !strings.HasPrefix(diags[0].Subject.Filename, dir) {
		t.Errorf("diagnostic file %q, want the path as given", diags[0].Subject.Filename)
	}

	_, diags = Load(Options{Dir: filepath.Join(dir, "notes.txt")})
	wantDiags(t, diags, "notes.txt:1,1: error: Not a configuration file;")

	// The directory itself still reads every *.hcl file together.
	_, diags = Load(Options{Dir: dir})
	if !strings.Contains(diagLines(diags), "Duplicate pubsubctl block") {
		t.Errorf("directory load: %s", diagLines(diags))
	}
}
