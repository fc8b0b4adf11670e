package cli_test

import (
	"bytes"
	"context"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/pubsubctl/pubsubctl/internal/cli"
	"github.com/pubsubctl/pubsubctl/internal/emulator"
)

// TestNoOpApplyRPCs measures, on the embedded emulator's side, the RPCs an
// apply of examples/shop makes from empty and when nothing changed. A
// no-op apply must only read: one page of each List and one GetIamPolicy
// per resource whose IAM the configuration manages (7 in the shop).
func TestNoOpApplyRPCs(t *testing.T) {
	srv, err := emulator.Start(context.Background(), emulator.Options{Host: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	shop, err := filepath.Abs("../../examples/shop")
	if err != nil {
		t.Fatal(err)
	}
	run := func() string {
		var out, errb bytes.Buffer
		env := []string{"PUBSUB_EMULATOR_HOST=" + srv.Addr(), "NO_COLOR=1", "HOME=" + t.TempDir()}
		if code := cli.Main(context.Background(), []string{"apply", "--auto-approve", shop}, env, strings.NewReader(""), &out, &errb); code != 0 {
			t.Fatalf("apply exited %d:\n%s\n%s", code, out.String(), errb.String())
		}
		return out.String()
	}
	summary := func(m map[string]int64) (string, int64) {
		var keys []string
		var total int64
		for k, v := range m {
			keys = append(keys, k)
			total += v
		}
		sort.Strings(keys)
		var b strings.Builder
		for _, k := range keys {
			b.WriteString(" " + k + "=" + strconv.FormatInt(m[k], 10))
		}
		return b.String(), total
	}

	srv.ResetRPCCounts()
	if out := run(); !strings.Contains(out, "Converged") {
		t.Fatalf("first apply did not converge:\n%s", out)
	}
	s, total := summary(srv.RPCCounts())
	t.Logf("apply of examples/shop from empty: %d RPCs:%s", total, s)

	srv.ResetRPCCounts()
	if out := run(); !strings.Contains(out, "No changes.") {
		t.Fatalf("second apply was not a no-op:\n%s", out)
	}
	counts := srv.RPCCounts()
	s, total = summary(counts)
	t.Logf("no-op apply of examples/shop: %d RPCs:%s", total, s)
	const bound = 10 // 3 lists + 7 policies
	if total > bound {
		t.Errorf("a no-op apply made %d RPCs, want at most %d:%s", total, bound, s)
	}
	for m := range counts {
		if !strings.HasPrefix(m, "List") && !strings.HasPrefix(m, "Get") {
			t.Errorf("a no-op apply called %s", m)
		}
	}
}
