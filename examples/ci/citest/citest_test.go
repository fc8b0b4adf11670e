package citest

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rhysd/actionlint"
	"go.yaml.in/yaml/v4"

	"github.com/pubsubctl/pubsubctl/internal/emulator"
)

const stepTimeout = 2 * time.Minute

// moduleRoot is the repository root, three directories above this package.
func moduleRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not found: %v", err)
	}
	return root
}

func workflowPath(name string) string {
	return filepath.Join("..", "github-actions", name)
}

func TestActionlint(t *testing.T) {
	var out bytes.Buffer
	l, err := actionlint.NewLinter(&out, &actionlint.LinterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"plan.yml", "apply.yml"} {
		errs, err := l.LintFile(workflowPath(name), nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, e := range errs {
			t.Errorf("%s:%d:%d: %s [%s]", name, e.Line, e.Column, e.Message, e.Kind)
		}
	}
}

type workflow struct {
	Jobs map[string]struct {
		Env   map[string]string `yaml:"env"`
		Steps []step            `yaml:"steps"`
	} `yaml:"jobs"`
}

type step struct {
	ID   string            `yaml:"id"`
	Name string            `yaml:"name"`
	If   string            `yaml:"if"`
	Uses string            `yaml:"uses"`
	Run  string            `yaml:"run"`
	Env  map[string]string `yaml:"env"`
}

// stepOutputCond is the only kind of `if:` a run step of these workflows uses.
var stepOutputCond = regexp.MustCompile(`^steps\.([\w-]+)\.outputs\.([\w-]+) == '([^']*)'$`)

func TestGitLabYAML(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "gitlab", ".gitlab-ci.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf(".gitlab-ci.yml: %v", err)
	}
	for _, job := range []string{"pubsubctl-plan", "pubsubctl-apply"} {
		j, ok := doc[job].(map[string]any)
		if !ok {
			t.Errorf("job %s missing", job)
			continue
		}
		script, ok := j["script"].([]any)
		if !ok || len(script) == 0 {
			t.Errorf("job %s has no script", job)
		}
		joined := ""
		for i, s := range script {
			line, ok := s.(string)
			if !ok {
				t.Errorf("job %s: script line %d is not a string (a \": \" in a plain scalar?): %v", job, i, s)
			}
			joined += line + "\n"
		}
		if !strings.Contains(joined, "--detailed-exitcode") {
			t.Errorf("job %s does not plan with --detailed-exitcode", job)
		}
	}
	if !strings.Contains(string(data), "apply --auto-approve") {
		t.Error("no apply --auto-approve in .gitlab-ci.yml")
	}
}

// env is the CI environment the steps run in: the built binary first on PATH,
// the embedded emulator instead of Google Cloud, and no real credentials.
type env struct {
	dir    string
	base   []string
	output string
}

func TestWorkflowSteps(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash not found")
	}
	root := moduleRoot(t)
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "bin")

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	build := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(bin, "pubsubctl"), "./cmd/pubsubctl")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	srv, err := emulator.Start(ctx, emulator.Options{Host: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if !strings.HasPrefix(srv.Addr(), "127.0.0.1:") {
		t.Fatalf("emulator listens on %s, want 127.0.0.1", srv.Addr())
	}

	repo := filepath.Join(tmp, "repo")
	if err := os.MkdirAll(filepath.Join(repo, "infra", "pubsub"), 0o755); err != nil {
		t.Fatal(err)
	}
	config := `pubsubctl {
  project        = "demo-project"
  stack          = "ci-demo"
  project_number = "123456789012"
}

topic "events" {
  publishers = ["serviceAccount:web@demo-project.iam.gserviceaccount.com"]
}

subscription "events-worker" {
  topic = topic.events
}
`
	if err := os.WriteFile(filepath.Join(repo, "infra", "pubsub", "main.hcl"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	home := filepath.Join(tmp, "home")
	if err := os.MkdirAll(home, 0o755); err != nil {
		t.Fatal(err)
	}
	e := &env{
		dir: repo,
		base: []string{
			"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"),
			"HOME=" + home,
			"PUBSUB_EMULATOR_HOST=" + srv.Addr(),
			"GOOGLE_APPLICATION_CREDENTIALS=" + filepath.Join(tmp, "no-credentials.json"),
			"CI=true",
			"GITHUB_ACTIONS=true",
			"GITHUB_STEP_SUMMARY=" + filepath.Join(tmp, "summary.md"),
		},
	}

	// The plan workflow: a fresh project, so the plan shows changes (2),
	// which must not fail the job.
	outputs := runWorkflow(t, e, "plan.yml", "plan")
	if got := outputs["plan"]["exitcode"]; got != "2" {
		t.Fatalf("plan step exitcode output = %q, want 2", got)
	}
	md, err := os.ReadFile(filepath.Join(repo, "plan.md"))
	if err != nil {
		t.Fatal(err)
	}
	first, body, _ := strings.Cut(string(md), "\n")
	marker := regexp.MustCompile(`^<!-- pubsubctl-plan stack=(\S+) project=(\S+) dir=(\S+) -->$`)
	m := marker.FindStringSubmatch(first)
	if m == nil {
		t.Fatalf("plan.md's first line is not the marker: %q", first)
	}
	if m[1] != `ci-demo` && m[1] != `"ci-demo"` {
		t.Errorf("marker stack = %s, want ci-demo", m[1])
	}
	if m[2] != `demo-project` && m[2] != `"demo-project"` {
		t.Errorf("marker project = %s, want demo-project", m[2])
	}
	if m[3] != `"infra/pubsub"` && m[3] != `infra/pubsub` {
		t.Errorf("marker dir = %s, want \"infra/pubsub\"", m[3])
	}
	// The comment body: the summary, the table and the Mermaid picture of
	// what changes (the topic, the subscription reading it, its dead-letter
	// topic and subscription that the defaults add, the principal
	// publishing to the topic), the new resources marked as created.
	for _, p := range commentProblems(body, "4 to create, 0 to update, 0 to replace, 0 to delete.",
		[]change{
			{"topic.events", "events", "create"},
			{"subscription.events-worker", "events-worker", "create"},
			{"topic.events-worker-dlq", "events-worker-dlq", "create"},
			{"subscription.events-worker-dlq", "events-worker-dlq", "create"},
		},
		[]edge{
			{"events", "", "events-worker"},
			{"events-worker", "dead letters", "events-worker-dlq"},
			{"serviceAccount:web@demo-project.iam.gserviceaccount.com", "publishes", "events"},
		}) {
		t.Errorf("plan.md, the comment body: %s", p)
	}
	if t.Failed() {
		t.Logf("plan.md:\n%s", md)
	}
	for _, want := range []string{"events", "events-worker"} {
		if !strings.Contains(body, want) {
			t.Errorf("plan.md does not name %s", want)
		}
	}
	if _, err := os.Stat(filepath.Join(repo, "plan.bin")); err != nil {
		t.Errorf("saved plan: %v", err)
	}

	// The apply workflow on the merged commit: plan (2), apply, and the
	// verifying plan exits 0; run again, it plans 0 and skips the apply.
	outputs = runWorkflow(t, e, "apply.yml", "apply")
	if got := outputs["plan"]["exitcode"]; got != "2" {
		t.Fatalf("apply workflow: plan exitcode = %q, want 2", got)
	}
	outputs = runWorkflow(t, e, "apply.yml", "apply")
	if got := outputs["plan"]["exitcode"]; got != "0" {
		t.Fatalf("apply workflow, second run: plan exitcode = %q, want 0", got)
	}
	cmd := exec.Command(filepath.Join(bin, "pubsubctl"), "plan", "--detailed-exitcode", "infra/pubsub")
	cmd.Dir, cmd.Env = repo, e.base
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("plan after apply: %v\n%s", err, out)
	}
}

// runWorkflow runs the shell steps of one job in order, as GitHub's default
// bash shell does (bash --noprofile --norc -eo pipefail), skipping the steps
// that use actions and the pubsubctl install (the built binary is on PATH).
// It fails the test on any failing step and returns the steps' outputs.
func runWorkflow(t *testing.T, e *env, file, job string) map[string]map[string]string {
	t.Helper()
	data, err := os.ReadFile(workflowPath(file))
	if err != nil {
		t.Fatal(err)
	}
	var wf workflow
	if err := yaml.Unmarshal(data, &wf); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	j, ok := wf.Jobs[job]
	if !ok {
		t.Fatalf("%s: no job %q", file, job)
	}
	outputs := map[string]map[string]string{}
	ran := 0
	for i, s := range j.Steps {
		name := s.Name
		if name == "" {
			name = s.Uses
		}
		if s.Run == "" {
			continue // auth, checkout, setup-go, github-script, upload-artifact
		}
		if strings.Contains(s.Run, "go install github.com/pubsubctl/pubsubctl/cmd/pubsubctl") {
			continue
		}
		if s.If != "" {
			m := stepOutputCond.FindStringSubmatch(strings.TrimSpace(s.If))
			if m == nil {
				t.Fatalf("%s step %q: unsupported if: %s", file, name, s.If)
			}
			if outputs[m[1]][m[2]] != m[3] {
				t.Logf("%s: skipped %q (%s)", file, name, s.If)
				continue
			}
		}
		outFile := filepath.Join(t.TempDir(), "github_output")
		if err := os.WriteFile(outFile, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		script := filepath.Join(t.TempDir(), "step.sh")
		if err := os.WriteFile(script, []byte(s.Run), 0o644); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), stepTimeout)
		cmd := exec.CommandContext(ctx, "bash", "--noprofile", "--norc", "-eo", "pipefail", script)
		cmd.Dir = e.dir
		cmd.Env = append(append([]string{}, e.base...), "GITHUB_OUTPUT="+outFile)
		for k, v := range j.Env {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		for k, v := range s.Env {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		start := time.Now()
		out, err := cmd.CombinedOutput()
		cancel()
		t.Logf("%s step %d %q (%v):\n%s", file, i, name, time.Since(start).Round(time.Millisecond), out)
		if err != nil {
			t.Fatalf("%s step %q failed: %v", file, name, err)
		}
		ran++
		if s.ID != "" {
			got, err := os.ReadFile(outFile)
			if err != nil {
				t.Fatal(err)
			}
			outputs[s.ID] = map[string]string{}
			for _, line := range strings.Split(string(got), "\n") {
				if k, v, ok := strings.Cut(line, "="); ok {
					outputs[s.ID][k] = v
				}
			}
		}
	}
	if ran == 0 {
		t.Fatalf("%s: no shell step ran", file)
	}
	return outputs
}
