package files

import (
	"archive/tar"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type entry struct {
	name, link, content string
	typ                 byte
}

func tarOf(t *testing.T, entries ...entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Linkname: e.link, Typeflag: e.typ, Mode: 0o644, Size: int64(len(e.content))}
		if e.typ != tar.TypeReg {
			h.Size = 0
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(e.content))
	}
	tw.Close()
	return buf.Bytes()
}

// TestUntar: a context tar unpacks with its files, folders and links;
// entries that lead out of the folder, directly or through a symlink the
// archive made, are refused, and so is an archive past the cap.
func TestUntar(t *testing.T) {
	outside := t.TempDir()
	for _, tc := range []struct {
		name    string
		entries []entry
		want    string // error text; "" for none
	}{
		{"files", []entry{{name: "src/", typ: tar.TypeDir}, {name: "src/a.txt", content: "a", typ: tar.TypeReg}, {name: "link", link: "src/a.txt", typ: tar.TypeSymlink}, {name: "hard", link: "src/a.txt", typ: tar.TypeLink}}, ""},
		{"dotdot", []entry{{name: "../evil", content: "x", typ: tar.TypeReg}}, "stdin: ../evil: leads out of the context"},
		{"through-symlink", []entry{{name: "out", link: outside, typ: tar.TypeSymlink}, {name: "out/evil", content: "x", typ: tar.TypeReg}}, "path escapes from parent"},
		{"hardlink-out", []entry{{name: "h", link: "../../etc/passwd", typ: tar.TypeLink}}, "leads out of the context"},
		{"device", []entry{{name: "null", typ: tar.TypeChar}}, "is not a file, folder or link"},
		{"too-large", []entry{{name: "big", content: strings.Repeat("x", 100), typ: tar.TypeReg}}, "larger than"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			err := Untar(bytes.NewReader(tarOf(t, tc.entries...)), dir, "stdin", Kind{Name: "build context tar", Max: 10})
			if tc.name == "files" {
				// Under the cap of 10 bytes: 1 byte of content.
				if err != nil {
					t.Fatalf("Untar = %v", err)
				}
				for _, p := range []string{"src/a.txt", "link", "hard"} {
					if b, err := os.ReadFile(filepath.Join(dir, p)); err != nil || string(b) != "a" {
						t.Errorf("%s = %q, %v; want a", p, b, err)
					}
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Untar = %v, want an error with %q", err, tc.want)
			}
			if entries, _ := os.ReadDir(outside); len(entries) > 0 {
				t.Errorf("a file was written outside the folder: %v", entries)
			}
		})
	}
	if err := Untar(strings.NewReader("FROM scratch\n"), t.TempDir(), "stdin", Context); !errors.Is(err, ErrNotArchive) && err == nil {
		t.Errorf("Untar of a Dockerfile = %v, want an error", err)
	}
	if IsArchive([]byte("FROM scratch\n")) || !IsArchive(tarOf(t, entry{name: "a", content: "a", typ: tar.TypeReg})) || !IsArchive([]byte{0x1f, 0x8b, 8}) {
		t.Error("IsArchive tells a Dockerfile from a tar wrongly")
	}
}
