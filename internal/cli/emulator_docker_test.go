package cli_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.yaml.in/yaml/v4"

	"github.com/pubsubctl/pubsubctl/internal/cli"
)

// composeFile is the part of examples/compose/compose.yaml the tests read.
type composeFile struct {
	Services map[string]struct {
		Build       any               `yaml:"build"`
		Command     []string          `yaml:"command"`
		Volumes     []string          `yaml:"volumes"`
		Environment map[string]string `yaml:"environment"`
		Healthcheck *struct {
			Test []string `yaml:"test"`
		} `yaml:"healthcheck"`
		DependsOn map[string]struct {
			Condition string `yaml:"condition"`
		} `yaml:"depends_on"`
	} `yaml:"services"`
}

// lockedBuffer is a bytes.Buffer safe for a writer and a reader.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestComposeExample checks examples/compose: the application waits for
// a healthy emulator and is pointed at it; the emulator's command line,
// with its mounted configuration, starts pubsubctl's emulator, which then
// passes the compose healthcheck's command.
func TestComposeExample(t *testing.T) {
	dir := filepath.Join("..", "..", "examples", "compose")
	raw, err := os.ReadFile(filepath.Join(dir, "compose.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var cf composeFile
	if err := yaml.Unmarshal(raw, &cf); err != nil {
		t.Fatalf("compose.yaml: %v", err)
	}
	emu, ok := cf.Services["pubsub"]
	if !ok {
		t.Fatalf("compose.yaml has no pubsub service: %v", cf.Services)
	}
	app, ok := cf.Services["app"]
	if !ok {
		t.Fatal("compose.yaml has no app service")
	}
	if got := app.DependsOn["pubsub"].Condition; got != "service_healthy" {
		t.Errorf("app depends_on pubsub with condition %q, want service_healthy", got)
	}
	if got := app.Environment["PUBSUB_EMULATOR_HOST"]; got != "pubsub:8085" {
		t.Errorf("app's PUBSUB_EMULATOR_HOST = %q, want pubsub:8085", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "app", "Dockerfile")); err != nil {
		t.Errorf("the app service's image: %v", err)
	}
	if emu.Healthcheck == nil || len(emu.Healthcheck.Test) < 2 || emu.Healthcheck.Test[0] != "CMD" {
		t.Fatalf("pubsub healthcheck = %+v, want an exec-form CMD test", emu.Healthcheck)
	}
	health := emu.Healthcheck.Test[1:]
	if !slices.Equal(health[:min(3, len(health))], []string{"pubsubctl", "emulator", "health"}) {
		t.Errorf("pubsub healthcheck runs %q, want pubsubctl emulator health", health)
	}
	var mount string
	for _, v := range emu.Volumes {
		if src, dst, ok := strings.Cut(v, ":"); ok && src == "./config" {
			mount, _, _ = strings.Cut(dst, ":")
		}
	}
	if mount == "" {
		t.Fatalf("pubsub volumes %q do not mount ./config", emu.Volumes)
	}

	// The service's command, run here: the mount's directory, and a free
	// port instead of 8085.
	args := slices.Clone(emu.Command)
	if len(args) == 0 || args[0] != "emulator" {
		t.Fatalf("pubsub command %q: want pubsubctl emulator ... (the image's entrypoint is pubsubctl)", args)
	}
	cfgArg, portArg := false, false
	for i := 1; i < len(args)-1; i++ {
		switch {
		case args[i] == "--config" && args[i+1] == mount:
			args[i+1], cfgArg = filepath.Join(dir, "config"), true
		case args[i] == "--port" && args[i+1] == "8085":
			args[i+1], portArg = "0", true
		}
	}
	if !cfgArg || !portArg {
		t.Fatalf("pubsub command %q: want --config %s (the mount) and --port 8085 (the healthcheck's)", emu.Command, mount)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut lockedBuffer
	done := make(chan int, 1)
	go func() { done <- cli.Main(ctx, args, nil, strings.NewReader(""), &out, &errOut) }()
	exportLine := regexp.MustCompile(`(?m)^\s*export PUBSUB_EMULATOR_HOST=pubsub:([0-9]+)$`)
	deadline := time.Now().Add(30 * time.Second)
	var port string
	for port == "" {
		if m := exportLine.FindStringSubmatch(out.String()); m != nil {
			port = m[1]
			break
		}
		select {
		case code := <-done:
			t.Fatalf("the emulator exited %d before it was ready:\n%s\n%s", code, out.String(), errOut.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no export line within 30s:\n%s\n%s", out.String(), errOut.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(out.String(), "export PUBSUB_PROJECT_ID="+app.Environment["PUBSUB_PROJECT_ID"]+"\n") {
		t.Errorf("the app's PUBSUB_PROJECT_ID %q is not the configuration's:\n%s", app.Environment["PUBSUB_PROJECT_ID"], out.String())
	}
	probe := slices.Clone(health[1:])
	for i, a := range probe {
		if a == "127.0.0.1:8085" {
			probe[i] = "127.0.0.1:" + port
		}
	}
	var pout, perr bytes.Buffer
	if code := cli.Main(context.Background(), probe, nil, strings.NewReader(""), &pout, &perr); code != 0 {
		t.Errorf("the healthcheck %q exited %d: %s%s", probe, code, pout.String(), perr.String())
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("the emulator exited %d:\n%s", code, errOut.String())
	}
	if strings.Contains(errOut.String(), "warning") {
		t.Errorf("the example configuration has warnings:\n%s", errOut.String())
	}
	var fout, ferr bytes.Buffer
	if code := cli.Main(context.Background(), []string{"fmt", "--check", filepath.Join(dir, "config")}, nil, strings.NewReader(""), &fout, &ferr); code != 0 {
		t.Errorf("pubsubctl fmt --check examples/compose/config exited %d: %s%s", code, fout.String(), ferr.String())
	}
}

// TestDockerfile checks what the image promises (a static build, a
// non-root user, the port, a healthcheck by pubsubctl emulator health),
// then, where a Docker engine runs, builds the image and waits for the
// container's healthcheck to report healthy.
func TestDockerfile(t *testing.T) {
	root := filepath.Join("..", "..")
	raw, err := os.ReadFile(filepath.Join(root, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	df := string(raw)
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^FROM \S+ AS build$`),
		regexp.MustCompile(`CGO_ENABLED=0 go build`),
		regexp.MustCompile(`(?m)^USER nonroot`),
		regexp.MustCompile(`(?m)^EXPOSE 8085$`),
		regexp.MustCompile(`(?m)^HEALTHCHECK .*\n\s+CMD \["/usr/local/bin/pubsubctl", "emulator", "health", "--addr", "127.0.0.1:8085"\]$`),
		regexp.MustCompile(`(?m)^CMD \["emulator", "--host", "0.0.0.0", "--port", "8085"\]$`),
	} {
		if !want.MatchString(df) {
			t.Errorf("Dockerfile does not match %s", want)
		}
	}
	if testing.Short() {
		t.Skip("-short: not building the image")
	}
	if _, err := exec.LookPath("docker"); err != nil {
		t.Skip("no docker client: the image is not built")
	}
	if out, err := exec.Command("docker", "info").CombinedOutput(); err != nil {
		t.Skipf("no Docker engine (docker info: %v: %s): the image is not built", err, lastLine(out))
	}
	tag := "pubsubctl-test:" + strconv.FormatInt(time.Now().UnixNano(), 36)
	run := func(timeout time.Duration, args ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		out, err := exec.CommandContext(ctx, "docker", args...).CombinedOutput()
		if err != nil {
			t.Fatalf("docker %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out))
	}
	run(15*time.Minute, "build", "-t", tag, root)
	defer exec.Command("docker", "rmi", "-f", tag).Run()
	id := run(time.Minute, "run", "-d", "--rm", tag)
	defer exec.Command("docker", "rm", "-f", id).Run()
	if v := run(time.Minute, "exec", id, "/usr/local/bin/pubsubctl", "version"); v == "" {
		t.Error("pubsubctl version printed nothing in the container")
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		st := run(time.Minute, "inspect", "--format", "{{.State.Health.Status}}", id)
		if st == "healthy" {
			break
		}
		if st == "unhealthy" || time.Now().After(deadline) {
			t.Fatalf("container health %q; logs:\n%s", st, run(time.Minute, "logs", id))
		}
		time.Sleep(500 * time.Millisecond)
	}
	if uid := run(time.Minute, "inspect", "--format", "{{.Config.User}}", id); !strings.HasPrefix(uid, "nonroot") {
		t.Errorf("the container runs as %q, want nonroot", uid)
	}
}

func lastLine(b []byte) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return lines[len(lines)-1]
}
