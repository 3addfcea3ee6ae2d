package files

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
)

// Context is a build context read as a tar archive (hoist build - reads
// one from stdin): the cap is on the bytes of its files once unpacked, and
// on the number of its entries.
var Context = Kind{Name: "build context tar", Max: 4 << 30}

// maxEntries caps the entries of a context tar: far above real source
// trees, far below what exhausts a disk's inodes.
const maxEntries = 1 << 20

// ErrNotArchive is input that is neither a tar nor a compressed tar.
var ErrNotArchive = errors.New("not a tar archive")

// IsArchive reports whether head, the first bytes of some input (at
// least 512 of them when there are), starts a tar, gzip, bzip2, xz or zstd
// stream, as docker build - tells a context from a Dockerfile.
func IsArchive(head []byte) bool {
	for _, magic := range [][]byte{{0x1f, 0x8b}, []byte("BZh"), {0xfd, '7', 'z', 'X', 'Z', 0}, {0x28, 0xb5, 0x2f, 0xfd}} {
		if bytes.HasPrefix(head, magic) {
			return true
		}
	}
	_, err := tar.NewReader(bytes.NewReader(head)).Next()
	return err == nil
}

// Untar unpacks the tar in r (plain, gzip or bzip2) into the folder dir,
// which must exist. Every entry stays inside dir: a name or link that
// leads out of it is an error, and so is writing through a symlink the
// archive made. Regular files, folders, symlinks and hard links are
// unpacked; other entries (devices, pipes) are refused. Files' bytes
// beyond k.Max, or more than a million entries, are an *Error of kind k
// (path names the input, e.g. "stdin").
func Untar(r io.Reader, dir, name string, k Kind) error {
	br := bufio.NewReader(r)
	head, _ := br.Peek(6)
	var in io.Reader = br
	switch {
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		z, err := gzip.NewReader(br)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		defer z.Close()
		in = z
	case bytes.HasPrefix(head, []byte("BZh")):
		in = bzip2.NewReader(br)
	case bytes.HasPrefix(head, []byte{0xfd, '7', 'z', 'X', 'Z', 0}), bytes.HasPrefix(head, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		return fmt.Errorf("%s: an xz or zstd archive; give a plain, gzip or bzip2 tar", name)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	tr := tar.NewReader(in)
	var total int64
	for n := 0; ; n++ {
		h, err := tr.Next()
		if err == io.EOF {
			if n == 0 {
				return fmt.Errorf("%s: %w", name, ErrNotArchive)
			}
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if n >= maxEntries {
			return &Error{Path: name, Kind: k, Err: ErrTooLarge}
		}
		if h.Typeflag == tar.TypeXGlobalHeader {
			continue // git archive's commit id, no file
		}
		p, err := entryPath(h.Name)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if p == "." {
			continue
		}
		if err := root.MkdirAll(path.Dir(p), 0o755); err != nil {
			return fmt.Errorf("%s: %s: %w", name, h.Name, err)
		}
		mode := os.FileMode(h.Mode).Perm()
		switch h.Typeflag {
		case tar.TypeDir:
			err = root.MkdirAll(p, mode|0o700)
		case tar.TypeReg:
			total += h.Size
			if total > k.Max {
				return &Error{Path: name, Kind: k, Err: ErrTooLarge}
			}
			err = writeEntry(root, p, mode, tr)
		case tar.TypeSymlink:
			err = root.Symlink(h.Linkname, p)
		case tar.TypeLink:
			var target string
			if target, err = entryPath(h.Linkname); err == nil {
				err = root.Link(target, p)
			}
		default:
			err = fmt.Errorf("entry type %q is not a file, folder or link", h.Typeflag)
		}
		if err != nil {
			return fmt.Errorf("%s: %s: %w", name, h.Name, err)
		}
	}
}

// entryPath cleans a tar entry's name into a path relative to the root
// of the unpacked tree ("." for the root itself); a name with a ".."
// part is an error.
func entryPath(name string) (string, error) {
	for _, part := range strings.Split(name, "/") {
		if part == ".." {
			return "", fmt.Errorf("%s: leads out of the context", name)
		}
	}
	p := strings.TrimPrefix(path.Clean("/"+name), "/")
	if p == "" {
		p = "."
	}
	return p, nil
}

// writeEntry writes one regular file of the archive under root.
func writeEntry(root *os.Root, p string, mode os.FileMode, r io.Reader) error {
	f, err := root.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode|0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
