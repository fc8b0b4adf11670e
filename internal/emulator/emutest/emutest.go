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
	launcher, err := FindOfficialLauncher()
	if err != nil {
		t.Skipf("emutest: skipping: %v", err)
	}
	port, err := freePort()
	if err != nil {
		t.Fatalf("emutest: %v", err)
	}
	addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	out := &lockedBuffer{}
	cmd := exec.Command(launcher, "--host=127.0.0.1", "--port="+strconv.Itoa(port))
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("emutest: start %s: %v", launcher, err)
	}
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		// The launcher is a shell script that starts java: kill the group.
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			t.Errorf("emutest: official emulator (pid %d) did not exit", cmd.Process.Pid)
		}
	})
	if err := waitReady(addr, exited, &waitErr); err != nil {
		t.Fatalf("emutest: official emulator at %s: %v\noutput:\n%s", addr, err, out.String())
	}
	return addr
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
