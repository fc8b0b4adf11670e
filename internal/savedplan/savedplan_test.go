package savedplan

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pubsubctl/pubsubctl/iam"

	"github.com/pubsubctl/pubsubctl/model"
	"github.com/pubsubctl/pubsubctl/plan"
)

func sample() *File {
	return &File{
		Plan: &plan.Plan{FormatVersion: plan.FormatVersion, Project: "p", Stack: "s", LiveDigest: "abc",
			Changes: []plan.Change{{Address: model.Address{Kind: model.KindTopic, Name: "orders"}, Kind: model.KindTopic, ID: "orders",
				Name: "projects/p/topics/orders", Action: plan.ActionCreate, After: plan.Wrap(&model.Topic{Name: "orders"})}}},
		Endpoint:     "emulator 127.0.0.1:8085",
		ConfigDigest: "def",
		Dir:          "/cfg",
		Vars:         []string{"token=s3cret"},
	}
}

func TestWriteReadRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "g.plan")
	if err := Write(path, sample()); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v, want 0600", info.Mode().Perm())
	}
	// Overwriting an existing, more open file leaves it 0600 too.
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Write(path, sample()); err != nil {
		t.Fatal(err)
	}
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o600 {
		t.Errorf("rewritten mode = %v, want 0600", info.Mode().Perm())
	}
	f, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if f.Plan.Changes[0].ID != "orders" || f.Endpoint != "emulator 127.0.0.1:8085" || f.Vars[0] != "token=s3cret" {
		t.Errorf("round trip lost data: %+v", f)
	}
}

func TestDecodeRefusesEdits(t *testing.T) {
	good, err := Encode(sample())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		edit func([]byte) []byte
		want string
	}{
		{"a value changed", func(b []byte) []byte { return bytes.Replace(b, []byte(`"orders"`), []byte(`"evil-topic"`), 1) }, "the plan file was modified"},
		{"digest changed", func(b []byte) []byte { return bytes.Replace(b, []byte(`"sha256": "`), []byte(`"sha256": "0`), 1) }, "the plan file was modified"},
		{"truncated", func(b []byte) []byte { return b[:len(b)/2] }, "is not a plan saved by pubsubctl"},
		{"not JSON", func([]byte) []byte { return []byte("hello") }, "is not a plan saved by pubsubctl"},
		{"other kind", func(b []byte) []byte { return bytes.Replace(b, []byte(Kind), []byte("terraform-plan"), 1) }, "is not a plan saved by pubsubctl"},
		{"no content", func([]byte) []byte { return []byte(`{"kind":"pubsubctl-plan","sha256":"x"}`) }, "the plan file was modified"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(tc.edit(append([]byte(nil), good...)), "g.plan")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
	// An edit that is re-sealed passes Decode: the digest is not a
	// signature. Apply's verification is what refuses it.
	f := sample()
	f.Plan.Changes[0].ID = "evil-topic"
	b, _ := Encode(f)
	if _, err := Decode(b, "g.plan"); err != nil {
		t.Fatalf("re-sealed file: %v", err)
	}
	if _, err := Decode(append([]byte(nil), good...), "g.plan"); err != nil {
		t.Fatal(err)
	}
	_, err = Decode(bytes.Replace(good, []byte(`"orders"`), []byte(`"x"`), 1), "g.plan")
	if !errors.Is(err, ErrModified) {
		t.Errorf("err = %v, want ErrModified", err)
	}
}

func TestDecodeRefusesIncompleteOrUnknownContent(t *testing.T) {
	f := sample()
	f.Endpoint = ""
	b, _ := Encode(f)
	if _, err := Decode(b, "g.plan"); err == nil || !strings.Contains(err.Error(), "which target") {
		t.Errorf("no endpoint: err = %v", err)
	}
	f = sample()
	f.Plan.FormatVersion = "0"
	b, _ = Encode(f)
	if _, err := Decode(b, "g.plan"); err == nil || !strings.Contains(err.Error(), "plan format 0") {
		t.Errorf("old format: err = %v", err)
	}
}

func TestReadRefusesWhatIsNotARegularFile(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ path, want string }{
		{"/dev/zero", "is a character device, not a regular file"},
		{fifo, "is a named pipe (FIFO), not a regular file"},
		{dir, "is a directory, not a regular file"},
		{filepath.Join(dir, "missing"), "no such file"},
	} {
		if _, err := Read(tc.path); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Read(%s) = %v, want %q", tc.path, err, tc.want)
		}
	}

}

// FuzzDecode: no input crashes Decode, and whatever it accepts encodes
// back to a file it accepts again.
func FuzzDecode(f *testing.F) {
	good, _ := Encode(sample())
	f.Add(good)
	f.Add([]byte(`{"kind":"pubsubctl-plan","sha256":"","content":{}}`))
	f.Add([]byte(`{"kind":"pubsubctl-plan","sha256":"44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","content":{}}`))
	f.Add([]byte(strings.Repeat("[", 10000)))
	f.Add([]byte(`{"kind":"pubsubctl-plan","content":` + strings.Repeat(`{"a":`, 2000) + `1` + strings.Repeat(`}`, 2000) + `}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		sp, err := Decode(b, "fuzz.plan")
		if err != nil {
			return
		}
		again, err := Encode(sp)
		if err != nil {
			t.Fatalf("accepted file does not encode: %v", err)
		}
		if _, err := Decode(again, "fuzz.plan"); err != nil {
			t.Fatalf("re-encoded file refused: %v", err)
		}
	})
}

// TestFormatHasNoGoNames checks the documented format (docs/saved-plans.md):
// every key is a snake_case name, addresses and kinds are strings, and a
// full subscription, IAM change and provenance survive a round trip.
func TestFormatHasNoGoNames(t *testing.T) {
	sub := &model.Subscription{Addr: model.Address{Kind: model.KindSubscription, Name: "audit", Key: "eu", HasKey: true},
		Name: "audit-eu", Topic: "projects/p/topics/orders", AckDeadline: time.Minute, Expiration: model.Expiration{Never: true},
		RetryPolicy: &model.RetryPolicy{MinimumBackoff: time.Second, MaximumBackoff: time.Minute},
		DeadLetter:  &model.DeadLetter{Topic: "projects/p/topics/orders-dlq", MaxDeliveryAttempts: 5},
		Push:        &model.PushConfig{Endpoint: "https://x.example.com", OIDC: &model.OIDCToken{ServiceAccount: "a@p.iam.gserviceaccount.com"}},
		Labels:      map[string]string{"Team_Name": "x"}}
	sub.Meta.Set("ack_deadline", model.SourceBuiltin, nil)
	f := sample()
	f.Plan.Changes = append(f.Plan.Changes, plan.Change{Address: sub.Addr, Kind: model.KindSubscription, ID: sub.Name,
		Name: "projects/p/subscriptions/audit-eu", Action: plan.ActionCreate, After: plan.Wrap(sub),
		Fields: plan.Values("p", sub)})
	f.Plan.IAM = []plan.IAMChange{{Address: sub.Addr, Kind: model.KindSubscription, Name: "projects/p/subscriptions/audit-eu",
		Members: []iam.MemberChange{{Role: "roles/pubsub.subscriber", Member: "user:a@b.c", Action: iam.ActionAdd, Origin: "subscribers"}},
		Desired: iam.DesiredPolicy{Roles: map[string][]string{"roles/pubsub.subscriber": {"user:a@b.c"}}}}}
	b, err := Encode(f)
	if err != nil {
		t.Fatal(err)
	}
	var generic any
	if err := json.Unmarshal(b, &generic); err != nil {
		t.Fatal(err)
	}
	// Maps whose keys are data (label keys, field paths, roles) are not names.
	data := map[string]bool{"labels": true, "sources": true, "sensitive": true, "roles": true, "origins": true, "authoritative": true, "attributes": true}
	snake := regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, e := range v {
				if !snake.MatchString(k) {
					t.Errorf("%s: key %q is not a snake_case name", path, k)
				}
				if data[k] {
					continue
				}
				walk(path+"."+k, e)
			}
		case []any:
			for _, e := range v {
				walk(path+"[]", e)
			}
		}
	}
	walk("", generic)
	var compact bytes.Buffer
	if err := json.Compact(&compact, b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"address":"subscription.audit[\"eu\"]"`, `"kind":"subscription"`, `"ack_deadline":"builtin"`, `"max_delivery_attempts":5`} {
		if !bytes.Contains(compact.Bytes(), []byte(want)) {
			t.Errorf("the file lacks %s", want)
		}
	}
	got, err := Decode(b, "g.plan")
	if err != nil {
		t.Fatal(err)
	}
	if d := plan.Divergence(got.Plan, f.Plan); d != "" {
		t.Errorf("round trip diverges: %s", d)
	}
	gs := got.Plan.Changes[1].After.Subscription
	if gs.Addr != sub.Addr || gs.Meta.Source("ack_deadline") != model.SourceBuiltin || gs.DeadLetter.MaxDeliveryAttempts != 5 {
		t.Errorf("round trip lost values: %+v", gs)
	}
}
