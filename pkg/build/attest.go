package build

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/distribution/reference"
	"github.com/tonistiigi/go-csvvalue"
)

// Attestation types BuildKit's Dockerfile frontend generates.
const (
	AttestProvenance = "provenance"
	AttestSBOM       = "sbom"
)

// DefaultSBOMGenerator is the scanner image BuildKit runs for an SBOM
// when none is named.
const DefaultSBOMGenerator = "docker/buildkit-syft-scanner:stable-1"

// CanonicalAttest turns the value of buildx's --provenance or --sbom
// shorthand into an --attest entry: "true" or "false" switch the type on
// or off, anything else is its attributes ("mode=max",
// "generator=IMAGE"). An empty value is no entry.
func CanonicalAttest(typ, in string) string {
	if in == "" {
		return ""
	}
	if b, err := strconv.ParseBool(in); err == nil {
		return fmt.Sprintf("type=%s,disabled=%t", typ, !b)
	}
	return "type=" + typ + "," + in
}

// ParseAttests turns buildx-style --attest entries ("type=provenance,mode=max",
// "type=sbom,generator=IMAGE", "type=sbom,disabled=true") into the
// Dockerfile frontend's attestation attributes (attest:provenance,
// attest:sbom). An entry without type= continues the entry before it, so
// a comma-separated environment variable reads as on the command line.
// A type given twice, an unknown type or a bad attribute is an error; a
// disabled type is left out, as is every type when in is empty:
// attestations are off by default.
func ParseAttests(in []string) (map[string]string, error) {
	var entries []string
	for _, e := range in {
		if e = strings.TrimSpace(e); e == "" {
			continue
		}
		if len(entries) > 0 && !strings.HasPrefix(strings.ToLower(e), "type=") && !strings.Contains(strings.ToLower(e), ",type=") {
			entries[len(entries)-1] += "," + e
			continue
		}
		entries = append(entries, e)
	}
	out := map[string]string{}
	seen := map[string]bool{}
	for _, e := range entries {
		typ, disabled, attrs, err := parseAttest(e)
		if err != nil {
			return nil, err
		}
		if seen[typ] {
			return nil, fmt.Errorf("attestation %q: type %s given twice (--attest, --provenance or --sbom)", e, typ)
		}
		seen[typ] = true
		if err := checkAttest(e, typ, attrs); err != nil {
			return nil, err
		}
		if disabled {
			continue
		}
		keys := make([]string, 0, len(attrs))
		for k := range attrs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		fields := make([]string, len(keys))
		for i, k := range keys {
			fields[i] = csvField(k + "=" + attrs[k])
		}
		out["attest:"+typ] = strings.Join(fields, ",")
	}
	return out, nil
}

// parseAttest reads one --attest entry as buildx does: CSV fields
// KEY=VALUE, type required, disabled a boolean.
func parseAttest(e string) (typ string, disabled bool, attrs map[string]string, err error) {
	fields, err := csvvalue.Fields(e, nil)
	if err != nil {
		return "", false, nil, fmt.Errorf("attestation %q: %w", e, err)
	}
	attrs = map[string]string{}
	for _, f := range fields {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return "", false, nil, fmt.Errorf("attestation %q: %q is not KEY=VALUE", e, f)
		}
		switch key := strings.ToLower(strings.TrimSpace(k)); key {
		case "type":
			typ = strings.ToLower(v)
		case "disabled":
			if disabled, err = strconv.ParseBool(v); err != nil {
				return "", false, nil, fmt.Errorf("attestation %q: disabled=%s is not true or false", e, v)
			}
		default:
			attrs[key] = v
		}
	}
	if typ == "" {
		return "", false, nil, fmt.Errorf("attestation %q: no type= (provenance or sbom)", e)
	}
	return typ, disabled, attrs, nil
}

// checkAttest refuses what BuildKit would refuse only once the build ran:
// an unknown type, a provenance mode other than min or max, an SBOM
// generator that is not an image reference.
func checkAttest(e, typ string, attrs map[string]string) error {
	switch typ {
	case AttestProvenance:
		if m, ok := attrs["mode"]; ok && m != "min" && m != "max" {
			return fmt.Errorf("attestation %q: mode must be min or max, got %q", e, m)
		}
		if v, ok := attrs["version"]; ok && v != "v0.2" && v != "v1" {
			return fmt.Errorf("attestation %q: version must be v0.2 or v1, got %q", e, v)
		}
	case AttestSBOM:
		if g, ok := attrs["generator"]; ok {
			if _, err := reference.ParseNormalizedNamed(g); err != nil {
				return fmt.Errorf("attestation %q: generator %q is not an image reference: %v", e, g, err)
			}
		}
	default:
		return fmt.Errorf("attestation %q: unknown type %q (provenance or sbom)", e, typ)
	}
	return nil
}

// csvField quotes a CSV field that holds a comma or a quote.
func csvField(f string) string {
	if !strings.ContainsAny(f, ",\"\n") {
		return f
	}
	return `"` + strings.ReplaceAll(f, `"`, `""`) + `"`
}
