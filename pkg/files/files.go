package files

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// Kind is a kind of input file: its name in messages and its size cap.
type Kind struct {
	// Name says what the file is, e.g. "pipeline file".
	Name string
	// Max is the largest size read, in bytes.
	Max int64
}

// The kinds of files hoist reads and their caps. A hand-written pipeline
// or registries file is a few kilobytes, a CA bundle a few hundred (the
// system bundle is about 200 KiB): each cap is far above real files and
// far below what costs memory (parsed YAML takes about a hundred times its
// size).
var (
	Pipeline   = Kind{Name: "pipeline file", Max: 1 << 20}
	Registries = Kind{Name: "registries file", Max: 1 << 20}
	CA         = Kind{Name: "CA file", Max: 4 << 20}
	Dockerfile = Kind{Name: "Dockerfile", Max: 1 << 20}
)

// Sentinels that Error matches with errors.Is.
var (
	// ErrNotRegular is a path that names a named pipe, a device, a socket
	// or a folder.
	ErrNotRegular = errors.New("not a regular file")
	// ErrTooLarge is a file larger than its kind's cap.
	ErrTooLarge = errors.New("file too large")
)

// Error is a file that was not read because it breaks a bound. Its message
// names the path and what is wrong, never the file's contents.
type Error struct {
	Path string
	Kind Kind
	// Err is ErrNotRegular or ErrTooLarge.
	Err error
	// Mode is the file's type, for ErrNotRegular.
	Mode fs.FileMode
}

// Error implements error.
func (e *Error) Error() string {
	if e.Err == ErrTooLarge {
		return fmt.Sprintf("%s: larger than %s, the limit for a %s", e.Path, Size(e.Kind.Max), e.Kind.Name)
	}
	return fmt.Sprintf("%s: not a regular file (%s)", e.Path, typeName(e.Mode))
}

// Unwrap returns ErrNotRegular or ErrTooLarge.
func (e *Error) Unwrap() error { return e.Err }

// Read returns the contents of the regular file at path, at most k.Max
// bytes. A path that is not a regular file, or a file larger than the cap,
// is an *Error; a missing file is an error that errors.Is(fs.ErrNotExist)
// matches. A named pipe never blocks: the file is opened without blocking
// and checked before it is read.
func Read(path string, k Kind) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if err := check(path, k, st); err != nil {
		return nil, err
	}
	// The path may have changed since Stat: open without blocking (a named
	// pipe with no writer would block here) and check what was opened.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err = f.Stat(); err != nil {
		return nil, err
	}
	if err := check(path, k, st); err != nil {
		return nil, err
	}
	// A regular file may still grow while it is read, and some (in /proc)
	// report no size at all: read one byte past the cap to tell.
	data, err := io.ReadAll(io.LimitReader(f, k.Max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > k.Max {
		return nil, &Error{Path: path, Kind: k, Err: ErrTooLarge}
	}
	return data, nil
}

// ReadAll reads r, which holds a file of kind k named path, up to the
// cap: for loaders that take an io.Reader.
func ReadAll(r io.Reader, path string, k Kind) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, k.Max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > k.Max {
		return nil, &Error{Path: path, Kind: k, Err: ErrTooLarge}
	}
	return data, nil
}

func check(path string, k Kind, st fs.FileInfo) error {
	if !st.Mode().IsRegular() {
		return &Error{Path: path, Kind: k, Err: ErrNotRegular, Mode: st.Mode()}
	}
	if st.Size() > k.Max {
		return &Error{Path: path, Kind: k, Err: ErrTooLarge}
	}
	return nil
}

// typeName says what a file that is not regular is.
func typeName(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a folder"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return "a special file"
}

// Size writes a byte count in the largest binary unit it is a whole
// multiple of: 1 MiB, 512 KiB, 100 bytes.
func Size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
