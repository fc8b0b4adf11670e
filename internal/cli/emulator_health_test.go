package cli_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/pubsubctl/pubsubctl/internal/cli"
	"github.com/pubsubctl/pubsubctl/internal/emulator"
)

// TestEmulatorHealthNotServing: an emulator that is still bootstrapping
// (its health service reports NOT_SERVING) is not healthy; once it serves,
// it is.
func TestEmulatorHealthNotServing(t *testing.T) {
	srv, err := emulator.Start(context.Background(), emulator.Options{StartNotServing: true})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	health := func() (int, string, string) {
		var out, errOut bytes.Buffer
		code := cli.Main(context.Background(), []string{"emulator", "health", "--addr", srv.Addr()}, nil, strings.NewReader(""), &out, &errOut)
		return code, out.String(), errOut.String()
	}
	code, out, errOut := health()
	if code != 1 || out != "" || !strings.Contains(errOut, "is not serving yet: NOT_SERVING (still bootstrapping its --config") {
		t.Errorf("not serving: exit %d, stdout %q, stderr %q; want 1 and the reason", code, out, errOut)
	}
	srv.SetHealth(true)
	code, out, errOut = health()
	if code != 0 || !strings.Contains(out, "is serving") || errOut != "" {
		t.Errorf("serving: exit %d, stdout %q, stderr %q; want 0", code, out, errOut)
	}
}
