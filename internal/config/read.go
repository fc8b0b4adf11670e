package config

import (
	"fmt"
	"io"
	"io/fs"
	"os"
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
// config.Load reads every configuration file and --var-file with it
// (limit MaxFileBytes); commands that read other files given on the
// command line should use it too.
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
	return fmt.Sprintf("%s is %s, not a regular file", e.Path, describeMode(e.Mode))
}

// FileTooLargeError is ReadBounded's error for a file over the limit. Size
// is 0 when the file grew past the limit while it was read.
type FileTooLargeError struct {
	Path        string
	Size, Limit int64
}

func (e *FileTooLargeError) Error() string {
	if e.Size > 0 {
		return fmt.Sprintf("%s has %s bytes; the limit is %s (%s bytes)", e.Path, thousands(e.Size), humanBytes(e.Limit), thousands(e.Limit))
	}
	return fmt.Sprintf("%s is larger than the limit of %s (%s bytes)", e.Path, humanBytes(e.Limit), thousands(e.Limit))
}

func describeMode(m fs.FileMode) string {
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
