package build

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/moby/buildkit/client"
	buildctl "github.com/moby/buildkit/cmd/buildctl/build"
	"github.com/tonistiigi/go-csvvalue"
)

// cacheTypes are the cache backends hoist takes in --cache-from,
// --cache-to and a pipeline's cache_from and cache_to, as buildx names
// them; inline only exports.
var cacheTypes = map[string]bool{"registry": true, "local": true, "inline": true}

// ParseCacheFrom parses cache imports as buildx's --cache-from takes them:
// type=registry,ref=REF, type=local,src=DIR, or a bare REF (a registry
// cache). A relative src is taken from dir.
func ParseCacheFrom(specs []string, dir string) ([]client.CacheOptionsEntry, error) {
	return parseCache(specs, dir, false)
}

// ParseCacheTo parses cache exports as buildx's --cache-to takes them:
// type=registry,ref=REF[,mode=max], type=local,dest=DIR[,mode=max],
// type=inline, or a bare REF (a registry cache). mode is min unless set,
// as in buildx. A relative dest is taken from dir.
func ParseCacheTo(specs []string, dir string) ([]client.CacheOptionsEntry, error) {
	return parseCache(specs, dir, true)
}

func parseCache(specs []string, dir string, export bool) ([]client.CacheOptionsEntry, error) {
	var out []client.CacheOptionsEntry
	for _, spec := range specs {
		e, err := parseCacheSpec(spec, dir, export)
		if err != nil {
			return nil, fmt.Errorf("%q: %w", spec, err)
		}
		out = append(out, e)
	}
	return out, nil
}

func parseCacheSpec(spec, dir string, export bool) (client.CacheOptionsEntry, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return client.CacheOptionsEntry{}, fmt.Errorf("empty cache entry")
	}
	if !strings.Contains(spec, "type=") {
		// buildx reads a bare reference as a registry cache; buildctl's
		// own parsers would log a deprecation warning for it.
		spec = "type=registry,ref=" + spec
	}
	// The type first: buildctl's parsers read more for some types (gha
	// reads its environment).
	if t := cacheType(spec); !cacheTypes[t] {
		return client.CacheOptionsEntry{}, fmt.Errorf("type=%s: hoist takes registry, local or inline caches", t)
	}
	parse, path := buildctl.ParseImportCache, "src"
	if export {
		parse, path = buildctl.ParseExportCache, "dest"
	}
	entries, err := parse([]string{spec})
	if err != nil {
		return client.CacheOptionsEntry{}, err
	}
	e := entries[0]
	switch {
	case e.Type == "inline" && !export:
		return e, fmt.Errorf("type=inline only exports: import an inline cache with type=registry,ref=IMAGE")
	case e.Type == "registry" && e.Attrs["ref"] == "":
		return e, fmt.Errorf("type=registry needs ref=")
	case e.Type == "local" && e.Attrs[path] == "":
		return e, fmt.Errorf("type=local needs %s=", path)
	}
	if m, ok := e.Attrs["mode"]; ok && m != "min" && m != "max" {
		return e, fmt.Errorf("mode=%s: must be min or max", m)
	}
	if e.Type == "local" && !filepath.IsAbs(e.Attrs[path]) {
		e.Attrs[path] = filepath.Join(dir, e.Attrs[path])
	}
	return e, nil
}

// CacheRef returns a registry cache entry's reference; "" for other types.
func CacheRef(e client.CacheOptionsEntry) string {
	if e.Type != "registry" {
		return ""
	}
	return e.Attrs["ref"]
}

// ReadyLocalImports drops the local cache imports whose folder holds no
// cache yet, with one warning each to warn, where BuildKit would log a
// line of its own and build without it.
func ReadyLocalImports(in []client.CacheOptionsEntry, warn func(string)) []client.CacheOptionsEntry {
	var out []client.CacheOptionsEntry
	for _, e := range in {
		if e.Type == "local" {
			if _, err := os.Stat(filepath.Join(e.Attrs["src"], "index.json")); err != nil {
				warn(fmt.Sprintf("cache %s holds no cache yet; building without it", e.Attrs["src"]))
				continue
			}
		}
		out = append(out, e)
	}
	return out
}

// cacheType is the type= field of a cache entry in buildx's CSV form.
func cacheType(spec string) string {
	fields, _ := csvvalue.Fields(spec, nil)
	for _, f := range fields {
		if k, v, ok := strings.Cut(f, "="); ok && strings.EqualFold(strings.TrimSpace(k), "type") {
			return v
		}
	}
	return ""
}
