package config

import (
	"bytes"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pubsubctl/pubsubctl/internal/render"
)

// Input bombs: inputs that used to crash pubsubctl (stack overflow, out
// of memory) or run for minutes. Each is loaded in a child process, as
// `pubsubctl validate` does (Load, then render the diagnostics), and must
// end with a clear error, exit status 1 and a peak memory under
// bombMaxRSS. The time each takes is logged, not asserted.

const bombMaxRSS = 200 << 20

const (
	envBombDir     = "PUBSUBCTL_TEST_BOMB_DIR"
	envBombVarFile = "PUBSUBCTL_TEST_BOMB_VARFILE"
)

// TestBombChild is the child process of TestInputBombs; it does nothing
// in a normal test run.
func TestBombChild(t *testing.T) {
	dir := os.Getenv(envBombDir)
	if dir == "" {
		t.Skip("only run as TestInputBombs' child process")
	}
	opts := Options{Dir: dir}
	if vf := os.Getenv(envBombVarFile); vf != "" {
		opts.VarFiles = []string{vf}
	}
	res, diags := Load(opts)
	if res != nil {
		_ = render.Diagnostics(os.Stdout, res.Files, diags, render.Options{})
	} else {
		_ = render.Diagnostics(os.Stdout, nil, diags, render.Options{})
	}
	fmt.Fprintf(os.Stderr, "peak-rss-kb %d\n", vmHWM())
	if diags.HasErrors() {
		os.Exit(1)
	}
	os.Exit(0)
}

// vmHWM is the process's peak resident set size in KiB.
func vmHWM() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return n
		}
	}
	return -1
}

func TestInputBombs(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("needs /proc to measure memory")
	}
	head := header
	doubling := func() string {
		var b strings.Builder
		b.WriteString(head + "locals {\n  a = \"xx\"\n")
		names := "abcdefghijklmnopqrstuvw"
		for i := 1; i < len(names); i++ {
			fmt.Fprintf(&b, "  %c = \"${local.%c}${local.%c}\"\n", names[i], names[i-1], names[i-1])
		}
		b.WriteString("}\ntopic \"t\" {\n  labels = { x = local.w }\n}\n")
		return b.String()
	}
	random := func(n int) string {
		b := make([]byte, n)
		rand.New(rand.NewSource(1)).Read(b)
		return string(b)
	}
	forEach := func(outer, inner int) string {
		return head + fmt.Sprintf(`topic "t" {
  for_each = toset(flatten([for a in range(%d) : [for b in range(%d) : "${a}-${b}"]]))
  name     = "t-${each.key}"
}
`, outer, inner)
	}
	varDecl := head + `variable "keys" {
  type = list(string)
}
topic "t" {
  for_each = toset(var.keys)
  name     = "t-${each.key}"
}
`
	fifoDir := t.TempDir()
	fifo := filepath.Join(fifoDir, "vars.hcl")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	millionKeys := filepath.Join(t.TempDir(), "keys.hcl")
	{
		var b bytes.Buffer
		b.WriteString("keys = [")
		for i := 0; i < 1_000_000; i++ {
			fmt.Fprintf(&b, "%q,", strconv.Itoa(i))
		}
		b.WriteString("]\n")
		if err := os.WriteFile(millionKeys, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name    string
		src     string
		varFile string
		want    string // in the output
	}{
		{"100,000 parentheses", head + "locals {\n  x = " + strings.Repeat("(", 100_000) + "1" + strings.Repeat(")", 100_000) + "\n}\n", "", "main.hcl:6,106: error: Nesting too deep"},
		{"a million [", head + "locals {\n  x = " + strings.Repeat("[", 1_000_000) + "\n}\n", "", "main.hcl:6,106: error: Nesting too deep"},
		{"string doubled 23 times", doubling(), "", "main.hcl:26,20: error: String too long"},
		{"--var-file /dev/zero", varDecl, "/dev/zero", "/dev/zero is a character device, not a regular file"},
		{"--var-file on a FIFO", varDecl, fifo, "is a named pipe (FIFO), not a regular file"},
		{"64 KiB of random bytes", random(64 << 10), "", "more errors not shown"},
		{"128 KiB of random bytes", random(128 << 10), "", "more errors not shown"},
		{"a million for_each keys from range", forEach(1000, 1000), "", "error: Too many iterations"},
		{"100,000 for_each keys from range", forEach(1000, 100), "", "error: Too many iterations"},
		{"a million for_each keys from a var-file", varDecl, millionKeys, "keys.hcl has 8,888,900 bytes; the limit is 4 MiB"},
		{"a 4 MiB list", head + "locals {\n  x = [" + strings.Repeat("1,", 2<<20-100) + "]\n}\n", "", "error: Too many tokens"},
		{"a number with six million digits", head + "locals {\n  x = \"x${1e6000000}\"\n}\n", "", "error: Number out of range"},
		{"a number squared in nested loops", head + "locals {\n  x = [for a in [1e300] : [for b in [a * a] : [for c in [b * b] : \"${c}\"]]]\n}\n", "", "error: Number out of range"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeDir(t, map[string]string{"main.hcl": tc.src})
			cmd := exec.Command(os.Args[0], "-test.run=^TestBombChild$", "-test.count=1")
			cmd.Env = append(os.Environ(), envBombDir+"="+dir, envBombVarFile+"="+tc.varFile)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			start := time.Now()
			err := cmd.Run()
			elapsed := time.Since(start)
			code := cmd.ProcessState.ExitCode()
			var peak int64
			if _, err := fmt.Sscanf(lastLine(stderr.String(), "peak-rss-kb "), "peak-rss-kb %d", &peak); err != nil {
				t.Fatalf("no peak memory report (%v); exit %d\nstderr: %.2000s", err, code, stderr.String())
			}
			// The child's own VmHWM: getrusage's ru_maxrss for a child
			// started with vfork also counts the parent's memory at the
			// exec, which here is the test binary's.
			peak <<= 10
			t.Logf("%s: exit %d after %v, peak memory %.1f MiB, %d bytes of output", tc.name, code, elapsed.Round(time.Millisecond), float64(peak)/(1<<20), stdout.Len())
			if code != 1 {
				t.Errorf("exit status %d (%v), want 1\nstderr: %.2000s", code, err, stderr.String())
			}
			if peak > bombMaxRSS {
				t.Errorf("peak memory %d MiB, want under %d MiB", peak>>20, bombMaxRSS>>20)
			}
			if !strings.Contains(stdout.String(), tc.want) {
				t.Errorf("output lacks %q:\n%.3000s", tc.want, stdout.String())
			}
			if stdout.Len() > 1<<20 {
				t.Errorf("%d bytes of output", stdout.Len())
			}
		})
	}
}

func lastLine(s, prefix string) string {
	lines := strings.Split(s, "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.HasPrefix(lines[i], prefix) {
			return lines[i]
		}
	}
	return ""
}
