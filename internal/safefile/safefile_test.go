package safefile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestReadBounded(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small.hcl")
	if err := os.WriteFile(small, []byte("a = 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.hcl")
	if err := os.WriteFile(big, make([]byte, 101), 0o644); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo.hcl")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.hcl")
	if err := os.Symlink(small, link); err != nil {
		t.Fatal(err)
	}
	if b, err := ReadBounded(small, 100); err != nil || string(b) != "a = 1\n" {
		t.Errorf("small: %q, %v", b, err)
	}
	if b, err := ReadBounded(link, 100); err != nil || string(b) != "a = 1\n" {
		t.Errorf("symlink to a regular file: %q, %v", b, err)
	}
	var tooLarge *FileTooLargeError
	if _, err := ReadBounded(big, 100); !errors.As(err, &tooLarge) || !strings.Contains(err.Error(), "has 101 bytes; the limit is 100 bytes") {
		t.Errorf("big: %v", err)
	}
	var notRegular *NotRegularError
	for path, want := range map[string]string{
		fifo:        "is a named pipe (FIFO), not a regular file",
		dir:         "is a directory, not a regular file",
		"/dev/zero": "is a character device, not a regular file",
	} {
		// A FIFO without a writer would block a plain open forever.
		if _, err := ReadBounded(path, 100); !errors.As(err, &notRegular) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", path, err, want)
		}
	}
	if _, err := ReadBounded(filepath.Join(dir, "missing"), 100); !os.IsNotExist(err) {
		t.Errorf("missing: %v", err)
	}
}
