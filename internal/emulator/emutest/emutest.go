package emutest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	pb "cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"github.com/pubsubctl/pubsubctl/internal/emulator"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// Start starts the embedded emulator on a free localhost port and closes it
// when the test ends.
func Start(t testing.TB) *emulator.Server {
	t.Helper()
	s, err := emulator.Start(context.Background(), emulator.Options{})
	if err != nil {
		t.Fatalf("emutest: start embedded emulator: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("emutest: close embedded emulator: %v", err)
		}
	})
	return s
}

// LauncherEnv names an environment variable that, when set, gives the path
// of the official emulator's cloud-pubsub-emulator launcher.
const LauncherEnv = "PUBSUBCTL_OFFICIAL_EMULATOR"

// knownLauncher is where the Debian package installs the launcher.
const knownLauncher = "/usr/lib/google-cloud-sdk/platform/pubsub-emulator/bin/cloud-pubsub-emulator"

// officialStartTimeout bounds the wait for the official emulator (a JVM)
// to accept gRPC calls.
const officialStartTimeout = 60 * time.Second

// FindOfficialLauncher returns the path of the official emulator's
// launcher, or an error saying why there is none.
func FindOfficialLauncher() (string, error) {
	var candidates []string
	if p := os.Getenv(LauncherEnv); p != "" {
		candidates = append(candidates, p)
	}
	candidates = append(candidates, knownLauncher)
	if p, err := exec.LookPath("cloud-pubsub-emulator"); err == nil {
		candidates = append(candidates, p)
	}
	if out, err := exec.Command("dpkg", "-L", "google-cloud-cli-pubsub-emulator").Output(); err == nil {
		for _, line := range strings.Split(string(out), "\n") {
			if strings.HasSuffix(line, "/bin/cloud-pubsub-emulator") {
				candidates = append(candidates, strings.TrimSpace(line))
			}
		}
	}
	if gcloud, err := exec.LookPath("gcloud"); err == nil {
		if real, err := filepath.EvalSymlinks(gcloud); err == nil {
			// .../google-cloud-sdk/bin/gcloud -> .../google-cloud-sdk/platform/...
			root := filepath.Dir(filepath.Dir(real))
			candidates = append(candidates, filepath.Join(root, "platform/pubsub-emulator/bin/cloud-pubsub-emulator"))
		}
	}
	for _, c := range candidates {
		if fi, err := os.Stat(c); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			if _, err := exec.LookPath("java"); err != nil {
				return "", errors.New("the official Pub/Sub emulator needs java, which is not on PATH")
			}
			return c, nil
		}
	}
	return "", errors.New("the official Pub/Sub emulator is not installed (apt-get install google-cloud-cli-pubsub-emulator, or set " + LauncherEnv + ")")
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// lockedBuffer collects the emulator's output for failure messages.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// StartOfficial starts the official Google Pub/Sub emulator on a free
// localhost port, waits until it answers gRPC (ListTopics succeeds) and
// returns its host:port. The whole process group is killed when the test
// ends. When the emulator is not installed the test is skipped, with the
// reason.
func StartOfficial(t testing.TB) (addr string) {
	t.Helper()
	addr, stop, err := StartOfficialProcess()
	if errors.Is(err, ErrOfficialNotInstalled) {
		t.Skipf("emutest: skipping: %v", err)
	}
	if err != nil {
		t.Fatalf("emutest: %v", err)
	}
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("emutest: %v", err)
		}
	})
	return addr
}

// ErrOfficialNotInstalled is wrapped by StartOfficialProcess's error when
// the official emulator (or java) is not installed.
var ErrOfficialNotInstalled = errors.New("official Pub/Sub emulator not installed")

// StartOfficialProcess starts the official emulator on a free localhost
// port and waits until it is ready. stop kills its process group and waits
// for it. The error wraps ErrOfficialNotInstalled when it is not installed.
func StartOfficialProcess() (addr string, stop func() error, err error) {
	launcher, err := FindOfficialLauncher()
	if err != nil {
		return "", nil, fmt.Errorf("%w: %v", ErrOfficialNotInstalled, err)
	}
	port, err := freePort()
	if err != nil {
		return "", nil, err
	}
	addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	out := &lockedBuffer{}
	cmd := exec.Command(launcher, "--host=127.0.0.1", "--port="+strconv.Itoa(port))
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return "", nil, fmt.Errorf("start %s: %v", launcher, err)
	}
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()
	stop = func() error {
		// The launcher is a shell script that starts java: kill the group.
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		select {
		case <-exited:
			return nil
		case <-time.After(10 * time.Second):
			return fmt.Errorf("official emulator (pid %d) did not exit", cmd.Process.Pid)
		}
	}
	if err := waitReady(addr, exited, &waitErr); err != nil {
		_ = stop()
		return "", nil, fmt.Errorf("official emulator at %s: %v\noutput:\n%s", addr, err, out.String())
	}
	return addr, stop, nil
}

// waitReady polls ListTopics until it succeeds, the process exits or the
// start timeout passes.
func waitReady(addr string, exited <-chan struct{}, waitErr *error) error {
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer conn.Close()
	client := pb.NewPublisherClient(conn)
	deadline := time.Now().Add(officialStartTimeout)
	var last error
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return fmt.Errorf("exited before it was ready: %v", *waitErr)
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_, last = client.ListTopics(ctx, &pb.ListTopicsRequest{Project: "projects/emutest-probe"})
		cancel()
		if last == nil {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("not ready after %v: %v", officialStartTimeout, last)
}
