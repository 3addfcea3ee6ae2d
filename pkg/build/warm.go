package build

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
)

// warmDir is where hoist notes which builders have built with which
// registry caches (see builtHere).
func warmDir() string {
	d, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(d, "hoist", "warm")
}

// warmMark is the file that notes that this builder has built with req's
// cache imports and export: named after the builder's worker (which keeps
// its id in its state, so a local buildkitd restarted on the same state
// is the same) or, without one, its address.
func (b *Builder) warmMark(req Request) string {
	dir := warmDir()
	if dir == "" || (len(req.CacheImports) == 0 && req.CacheExport == "") {
		return ""
	}
	id := b.workerID
	if id == "" {
		id = b.Addr
	}
	sum := sha256.Sum256([]byte(id + "\x00" + req.CacheExport + "\x00" + strings.Join(req.CacheImports, "\x00")))
	return filepath.Join(dir, hex.EncodeToString(sum[:16]))
}

// builtHere reports whether this builder has built with req's cache
// before: its own cache likely holds the build, so the build tries it
// alone first (solveBuild). A builder that has not, or that hoist does not
// know, gets the registry cache from the start.
func (b *Builder) builtHere(req Request) bool {
	m := b.warmMark(req)
	if m == "" {
		return false
	}
	_, err := os.Stat(m)
	return err == nil
}

// noteBuilt notes that this builder has built with req's cache; a note
// that cannot be written only costs the next build its first try.
func (b *Builder) noteBuilt(req Request) {
	m := b.warmMark(req)
	if m == "" {
		return
	}
	if os.MkdirAll(filepath.Dir(m), 0o700) == nil {
		if f, err := os.OpenFile(m, os.O_CREATE|os.O_WRONLY, 0o600); err == nil {
			f.Close()
		}
	}
}
