package cli_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/pubsubctl/pubsubctl/internal/live"
)

// Scenario commands for the emulator command (issue 11):
//
//	freeport NAME                     store a free port of 127.0.0.1 in $NAME
//	spawn NAME PROGRAM ARGS...        run PROGRAM (pubsubctl) in the background, in the
//	                                  script's directory, its output going to the files
//	                                  NAME.stdout and NAME.stderr there as it is written
//	interrupt NAME                    send NAME SIGINT and wait (up to 15s) for it to exit;
//	                                  fails unless it exits 0 (! interrupt: unless it fails)
//	waitmatch FILE REGEXP [N]         wait (up to 30s) until FILE has N (default 1) matches
//	                                  of REGEXP (multi-line mode); fails at once when FILE
//	                                  is NAME.stdout or NAME.stderr of a spawned process that
//	                                  exited without them
//	emulist PROJECT                   print "topic NAME" and "subscription NAME TOPIC filter=F"
//	                                  lines of PROJECT in the emulator at PUBSUB_EMULATOR_HOST
func init() {
	scriptCmds["freeport"] = cmdFreeport
	scriptCmds["spawn"] = cmdSpawn
	scriptCmds["interrupt"] = cmdInterrupt
	scriptCmds["waitmatch"] = cmdWaitmatch
	scriptCmds["emulist"] = cmdEmulist
}

// Bounds of the scenario waits: generous for a loaded machine, never
// reached when things work.
const (
	interruptWait = 15 * time.Second
	matchWait     = 30 * time.Second
)

func cmdFreeport(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: freeport NAME")
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	port := lis.Addr().(*net.TCPAddr).Port
	ts.Check(lis.Close())
	ts.Setenv(args[0], strconv.Itoa(port))
}

// spawned is a background process of a script.
type spawned struct {
	cmd  *exec.Cmd
	done chan struct{} // closed when it has exited
	err  error         // its exit, once done is closed
}

// spawnedProcs holds each script's processes, by *testscript.TestScript.
var spawnedProcs sync.Map

func procsOf(ts *testscript.TestScript) map[string]*spawned {
	m, _ := spawnedProcs.LoadOrStore(ts, map[string]*spawned{})
	return m.(map[string]*spawned)
}

func cmdSpawn(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: spawn NAME PROGRAM ARGS...")
	}
	name := args[0]
	procs := procsOf(ts)
	if procs[name] != nil {
		ts.Fatalf("spawn: %s is already running", name)
	}
	path, err := exec.LookPath(args[1])
	ts.Check(err)
	var env []string
	for _, n := range passedEnv {
		if v := ts.Getenv(n); v != "" || n == "PUBSUB_EMULATOR_HOST" {
			env = append(env, n+"="+v)
		}
	}
	stdout, err := os.Create(ts.MkAbs(name + ".stdout"))
	ts.Check(err)
	stderr, err := os.Create(ts.MkAbs(name + ".stderr"))
	ts.Check(err)
	cmd := exec.Command(path, args[2:]...)
	cmd.Args[0] = args[1] // testscript dispatches on the program name
	cmd.Dir = ts.MkAbs(".")
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		ts.Fatalf("spawn %s: %v", name, err)
	}
	p := &spawned{cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		stdout.Close()
		stderr.Close()
		close(p.done)
	}()
	procs[name] = p
	ts.Defer(func() {
		select {
		case <-p.done:
		default:
			cmd.Process.Kill()
			<-p.done
		}
		spawnedProcs.Delete(ts)
	})
}

func cmdInterrupt(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: interrupt NAME")
	}
	p := procsOf(ts)[args[0]]
	if p == nil {
		ts.Fatalf("interrupt: no process %s (start it with spawn)", args[0])
	}
	select {
	case <-p.done:
	default:
		ts.Check(p.cmd.Process.Signal(syscall.SIGINT))
	}
	select {
	case <-p.done:
	case <-time.After(interruptWait):
		p.cmd.Process.Kill()
		<-p.done
		ts.Fatalf("%s did not exit within %s of SIGINT", args[0], interruptWait)
	}
	switch {
	case neg && p.err == nil:
		ts.Fatalf("%s exited 0 unexpectedly", args[0])
	case !neg && p.err != nil:
		ts.Fatalf("%s: %v", args[0], p.err)
	}
}

func cmdWaitmatch(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 || len(args) > 3 {
		ts.Fatalf("usage: waitmatch FILE REGEXP [N]")
	}
	re, err := regexp.Compile("(?m)" + args[1])
	ts.Check(err)
	want := 1
	if len(args) == 3 {
		want, err = strconv.Atoi(args[2])
		ts.Check(err)
	}
	file := ts.MkAbs(args[0])
	base := filepath.Base(args[0])
	p := procsOf(ts)[strings.TrimSuffix(strings.TrimSuffix(base, ".stdout"), ".stderr")]
	deadline := time.Now().Add(matchWait)
	for {
		exited := false
		if p != nil {
			select {
			case <-p.done:
				exited = true
			default:
			}
		}
		data, _ := os.ReadFile(file)
		got := len(re.FindAllIndex(data, -1))
		if got >= want {
			return
		}
		if exited || time.Now().After(deadline) {
			why := fmt.Sprintf("after %s", matchWait)
			if exited {
				why = fmt.Sprintf("and its process exited (%v)", p.err)
			}
			ts.Logf("%s:\n%s", args[0], data)
			if p != nil {
				errs, _ := os.ReadFile(p.cmd.Stderr.(*os.File).Name())
				ts.Logf("its stderr:\n%s", errs)
			}
			ts.Fatalf("%s has %d matches of %q, want %d, %s", args[0], got, args[1], want, why)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func cmdEmulist(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: emulist PROJECT")
	}
	c, err := live.New(context.Background(), live.Options{Project: args[0], Emulator: ts.Getenv("PUBSUB_EMULATOR_HOST"), MaxAttempts: 1})
	ts.Check(err)
	defer c.Close()
	st, err := c.Read(context.Background(), live.ReadOptions{})
	if err != nil && !errors.Is(err, context.Canceled) {
		ts.Fatalf("emulist %s: %v", args[0], err)
	}
	var lines []string
	for _, t := range st.Topics {
		lines = append(lines, "topic "+t.Name)
	}
	for _, s := range st.Subscriptions {
		lines = append(lines, fmt.Sprintf("subscription %s %s filter=%s", s.Name, s.Topic, s.Filter))
	}
	sort.Strings(lines)
	out := ts.Stdout()
	for _, l := range lines {
		fmt.Fprintln(out, l)
	}
}
