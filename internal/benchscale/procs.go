package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/pubsubctl/pubsubctl/internal/emulator/emutest"
)

// measured is one pubsubctl process: wall time and peak RSS.
type measured struct {
	secs    float64
	cpuSecs float64 // user + system time of the process
	emuCPU  float64 // CPU time the emulator used meanwhile (-1: unknown)
	rssMB   float64
	err     error
}

// childEnv is the environment of every pubsubctl process: this process's,
// without pubsubctl's own variables, pointed at the emulator.
func childEnv(emulatorAddr string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if k == "PUBSUB_EMULATOR_HOST" || k == "PUBSUB_PROJECT_ID" || strings.HasPrefix(k, "PUBSUBCTL_") {
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "NO_COLOR=1")
	if emulatorAddr != "" {
		env = append(env, "PUBSUB_EMULATOR_HOST="+emulatorAddr)
	}
	return env
}

// cpuSecs is the user + system time of an exited process.
func cpuSecs(ps *os.ProcessState) float64 {
	if ps == nil {
		return 0
	}
	return (ps.UserTime() + ps.SystemTime()).Seconds()
}

// procCPU is the CPU time so far of a running process (Linux: from
// /proc/PID/stat, in clock ticks of 1/100 s), or -1.
func procCPU(pid int) float64 {
	if pid == 0 {
		return -1
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return -1
	}
	// The fields after the command name, which is in parentheses.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return -1
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return -1
	}
	utime, err1 := strconv.ParseFloat(f[11], 64)
	stime, err2 := strconv.ParseFloat(f[12], 64)
	if err1 != nil || err2 != nil {
		return -1
	}
	return (utime + stime) / 100
}

// maxRSSMB is the peak resident set of an exited process in MB.
func maxRSSMB(ps *os.ProcessState) float64 {
	if ps == nil {
		return 0
	}
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0
	}
	if runtime.GOOS == "darwin" {
		return float64(ru.Maxrss) / (1 << 20) // bytes
	}
	return float64(ru.Maxrss) / (1 << 10) // kilobytes
}

// runPubsubctl runs bin with args to completion (or until timeout), with
// its output in logPath, and measures it. Any exit status but 0 is an error
// quoting the end of the output.
func runPubsubctl(ctx context.Context, timeout time.Duration, bin string, emu *emulatorProc, logPath string, args ...string) measured {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	log, err := os.Create(logPath)
	if err != nil {
		return measured{err: err}
	}
	defer log.Close()
	cmd := exec.CommandContext(ctx, bin, args...)
	addr, pid := "", 0
	if emu != nil {
		addr, pid = emu.addr, emu.pid
	}
	cmd.Env = childEnv(addr)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.WaitDelay = 5 * time.Second
	emuBefore := procCPU(pid)
	start := time.Now()
	err = cmd.Run()
	m := measured{secs: time.Since(start).Seconds(), cpuSecs: cpuSecs(cmd.ProcessState), rssMB: maxRSSMB(cmd.ProcessState), emuCPU: -1}
	if emuAfter := procCPU(pid); emuBefore >= 0 && emuAfter >= 0 {
		m.emuCPU = emuAfter - emuBefore
	}
	if ctx.Err() != nil {
		m.err = fmt.Errorf("pubsubctl %s: no result within %v", args[0], timeout.Round(time.Millisecond))
	} else if err != nil {
		m.err = fmt.Errorf("pubsubctl %s: %v; output ends:\n%s", strings.Join(args, " "), err, tail(logPath, 1500))
	}
	return m
}

// tail is the last n bytes of a file.
func tail(path string, n int64) string {
	f, err := os.Open(path)
	if err != nil {
		return err.Error()
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Size() > n {
		_, _ = f.Seek(fi.Size()-n, io.SeekStart)
	}
	b, _ := io.ReadAll(io.LimitReader(f, n))
	return string(b)
}

// emulatorProc is a running emulator: its address and how to stop it.
type emulatorProc struct {
	addr string
	pid  int // 0 when its CPU time cannot be read
	// stop stops it and returns its peak RSS in MB (0 when unknown).
	stop func() float64
}

// startEmbedded starts `bin emulator --port 0 --print-env` on 127.0.0.1
// and waits (at most 20s) for its export line.
func startEmbedded(bin, logPath string) (*emulatorProc, error) {
	log, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "emulator", "--host", "127.0.0.1", "--port", "0", "--print-env")
	cmd.Env = childEnv("")
	cmd.Stderr = log
	out, err := cmd.StdoutPipe()
	if err != nil {
		log.Close()
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		log.Close()
		return nil, err
	}
	exited := make(chan struct{})
	addrc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "export PUBSUB_EMULATOR_HOST="); ok {
				addrc <- v
				break
			}
		}
		_, _ = io.Copy(io.Discard, out)
	}()
	go func() { _ = cmd.Wait(); log.Close(); close(exited) }()
	stop := func() float64 {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		return maxRSSMB(cmd.ProcessState)
	}
	select {
	case addr := <-addrc:
		if host, _, err := net.SplitHostPort(addr); err != nil || host != "127.0.0.1" {
			stop()
			return nil, fmt.Errorf("the emulator printed %q, not a 127.0.0.1 address", addr)
		}
		return &emulatorProc{addr: addr, pid: cmd.Process.Pid, stop: stop}, nil
	case <-exited:
		return nil, fmt.Errorf("the emulator exited before it was ready:\n%s", tail(logPath, 1500))
	case <-time.After(20 * time.Second):
		stop()
		return nil, fmt.Errorf("the emulator printed no address within 20s:\n%s", tail(logPath, 1500))
	}
}

// startOfficial starts Google's emulator (a JVM) on 127.0.0.1 through
// emutest. notInstalled is set when it is not installed.
func startOfficial() (p *emulatorProc, notInstalled bool, err error) {
	addr, stop, err := emutest.StartOfficialProcess()
	if errors.Is(err, emutest.ErrOfficialNotInstalled) {
		return nil, true, err
	}
	if err != nil {
		return nil, false, err
	}
	return &emulatorProc{addr: addr, stop: func() float64 {
		if err := stop(); err != nil {
			fmt.Fprintf(os.Stderr, "benchscale: %v\n", err)
		}
		return 0
	}}, false, nil
}
