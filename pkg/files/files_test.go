package files

import (
	"errors"
	"strings"
	"testing"
)

func TestReadAll(t *testing.T) {
	t.Parallel()
	k := Kind{Name: "test file", Max: 8}
	if data, err := ReadAll(strings.NewReader("12345678"), "f", k); err != nil || string(data) != "12345678" {
		t.Errorf("ReadAll(8 bytes) = %q, %v", data, err)
	}
	if _, err := ReadAll(strings.NewReader("123456789"), "f", k); !errors.Is(err, ErrTooLarge) || err.Error() != "f: larger than 8 bytes, the limit for a test file" {
		t.Errorf("ReadAll(9 bytes) = %v, want the limit", err)
	}
}

func TestSize(t *testing.T) {
	t.Parallel()
	for n, want := range map[int64]string{1 << 20: "1 MiB", 16 << 20: "16 MiB", 512 << 10: "512 KiB", 100: "100 bytes", 1<<20 + 1: "1048577 bytes"} {
		if got := Size(n); got != want {
			t.Errorf("Size(%d) = %q, want %q", n, got, want)
		}
	}
}
