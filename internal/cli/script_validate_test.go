package cli_test

import (
	"errors"
	"net"
	"os/exec"
	"strconv"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
)

func init() {
	scriptCmds["exitcode"] = cmdExitcode
	scriptCmds["busyport"] = cmdBusyport
}

// passedEnv are the variables of the script's environment that exitcode
// passes to the command (testscript does not expose the whole environment).
var passedEnv = []string{
	"PATH", "HOME", "TMPDIR", "NO_COLOR", "TERM", "GOOGLE_APPLICATION_CREDENTIALS",
	"PUBSUB_EMULATOR_HOST", "PUBSUBCTL_PROJECT", "GOOGLE_CLOUD_PROJECT", "GOCOVERDIR",
}

// cmdExitcode: `exitcode N [NAME=VALUE...] pubsubctl ARGS...` runs pubsubctl
// in the script's current directory and fails unless it exits with status
// N exactly (testscript's `! exec` only checks for non-zero). NAME=VALUE
// words before the program name are added to its environment.
func cmdExitcode(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! exitcode")
	}
	if len(args) < 2 {
		ts.Fatalf("usage: exitcode N [NAME=VALUE...] PROGRAM ARGS...")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	args = args[1:]
	var env []string
	for _, name := range passedEnv {
		if v := ts.Getenv(name); v != "" || name == "PUBSUB_EMULATOR_HOST" {
			env = append(env, name+"="+v)
		}
	}
	for len(args) > 0 && strings.Contains(args[0], "=") {
		env = append(env, args[0])
		args = args[1:]
	}
	if len(args) == 0 {
		ts.Fatalf("exitcode: no program")
	}
	path, err := exec.LookPath(args[0])
	ts.Check(err)
	cmd := exec.Command(path, args[1:]...)
	cmd.Args[0] = args[0] // testscript dispatches on the program name
	cmd.Dir = ts.MkAbs(".")
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	got := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		got = ee.ExitCode()
	case err != nil:
		ts.Fatalf("run %s: %v", args[0], err)
	}
	ts.Logf("%s", out)
	if got != want {
		ts.Fatalf("%s exited with status %d, want %d", strings.Join(args, " "), got, want)
	}
}

// cmdBusyport: `busyport NAME` listens on a free port of 127.0.0.1 until
// the script ends and stores the port number in $NAME.
func cmdBusyport(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: busyport NAME")
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	ts.Defer(func() { lis.Close() })
	ts.Setenv(args[0], strconv.Itoa(lis.Addr().(*net.TCPAddr).Port))
}
