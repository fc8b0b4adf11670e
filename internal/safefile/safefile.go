package safefile

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"syscall"
)

// ReadBounded reads a regular file of at most limit bytes. Anything else
// is refused at once, before it is opened for reading: directories, named
// pipes (which would block until a writer appears), devices such as
// /dev/zero (which never end), sockets. The file is opened non-blocking,
// checked again after opening (it may have been replaced) and read through
// a limit, so a file that grows while it is read cannot exceed the limit
// either. Errors name the path and say what was wrong.
//
// config.Load reads every configuration file and --var-file with it, and
// apply reads saved plan files with it.
func ReadBounded(path string, limit int64) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if err := checkRegular(path, fi, limit); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err = f.Stat()
	if err != nil {
		return nil, err
	}
	if err := checkRegular(path, fi, limit); err != nil {
		return nil, err
	}
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if int64(len(b)) > limit {
		return nil, &FileTooLargeError{Path: path, Limit: limit}
	}
	return b, nil
}

func checkRegular(path string, fi fs.FileInfo, limit int64) error {
	if !fi.Mode().IsRegular() {
		return &NotRegularError{Path: path, Mode: fi.Mode()}
	}
	if fi.Size() > limit {
		return &FileTooLargeError{Path: path, Size: fi.Size(), Limit: limit}
	}
	return nil
}

// NotRegularError is ReadBounded's error for a path that is not a regular
// file.
type NotRegularError struct {
	Path string
	Mode fs.FileMode
}

func (e *NotRegularError) Error() string {
	return fmt.Sprintf("%s is %s, not a regular file", e.Path, DescribeMode(e.Mode))
}

// FileTooLargeError is ReadBounded's error for a file over the limit. Size
// is 0 when the file grew past the limit while it was read.
type FileTooLargeError struct {
	Path        string
	Size, Limit int64
}

func (e *FileTooLargeError) Error() string {
	if e.Size > 0 {
		return fmt.Sprintf("%s has %s bytes; the limit is %s (%s bytes)", e.Path, FormatCount(e.Size), FormatBytes(e.Limit), FormatCount(e.Limit))
	}
	return fmt.Sprintf("%s is larger than the limit of %s (%s bytes)", e.Path, FormatBytes(e.Limit), FormatCount(e.Limit))
}

// DescribeMode names a file mode that is not a regular file.
func DescribeMode(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	}
	return "a special file"
}

// FormatBytes renders a byte count as "4 MiB" or "1,048,577 bytes".
func FormatBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return FormatCount(n) + " bytes"
}

// FormatCount renders n with FormatCount separators: 1,000,000.
func FormatCount(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
