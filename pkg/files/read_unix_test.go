//go:build unix

package files

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

func TestRead(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	small := filepath.Join(dir, "codefresh.yml")
	if err := os.WriteFile(small, []byte("steps: {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A sparse file one byte over the cap: no disk space, no large file
	// in the repository.
	big := filepath.Join(dir, "big.yml")
	if err := os.WriteFile(big, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, Pipeline.Max+1); err != nil {
		t.Fatal(err)
	}
	exact := filepath.Join(dir, "exact.yml")
	if err := os.WriteFile(exact, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(exact, Pipeline.Max); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo.yml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.yml")
	if err := os.Symlink(small, link); err != nil {
		t.Fatal(err)
	}

	if data, err := Read(small, Pipeline); err != nil || string(data) != "steps: {}\n" {
		t.Errorf("Read(small) = %q, %v; want its text", data, err)
	}
	if data, err := Read(link, Pipeline); err != nil || string(data) != "steps: {}\n" {
		t.Errorf("Read(link to small) = %q, %v; want its text", data, err)
	}
	if data, err := Read(exact, Pipeline); err != nil || int64(len(data)) != Pipeline.Max {
		t.Errorf("Read(a file at the cap) = %d bytes, %v; want %d bytes", len(data), err, Pipeline.Max)
	}
	if _, err := Read(filepath.Join(dir, "none.yml"), Pipeline); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Read(missing) = %v, want fs.ErrNotExist", err)
	}
	for _, tc := range []struct {
		path string
		kind Kind
		is   error
		want string
	}{
		{big, Pipeline, ErrTooLarge, big + ": larger than 1 MiB, the limit for a pipeline file"},
		{big, CA, nil, ""},
		{fifo, Pipeline, ErrNotRegular, fifo + ": not a regular file (a named pipe)"},
		{dir, Registries, ErrNotRegular, dir + ": not a regular file (a folder)"},
		{"/dev/zero", CA, ErrNotRegular, "/dev/zero: not a regular file (a character device)"},
		{"/dev/null", Dockerfile, ErrNotRegular, "/dev/null: not a regular file (a character device)"},
	} {
		done := make(chan error, 1)
		go func() {
			_, err := Read(tc.path, tc.kind)
			done <- err
		}()
		var err error
		select {
		case err = <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("Read(%s) still blocks after 5 s", tc.path)
		}
		if tc.is == nil {
			if err != nil {
				t.Errorf("Read(%s, %s) = %v, want no error", tc.path, tc.kind.Name, err)
			}
			continue
		}
		if !errors.Is(err, tc.is) || err.Error() != tc.want {
			t.Errorf("Read(%s, %s) = %v, want %q", tc.path, tc.kind.Name, err, tc.want)
		}
	}
}
