package build

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseAttests(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   []string
		want map[string]string
	}{
		{nil, map[string]string{}},
		{[]string{CanonicalAttest(AttestProvenance, "true")}, map[string]string{"attest:provenance": ""}},
		{[]string{CanonicalAttest(AttestProvenance, "false")}, map[string]string{}},
		{[]string{CanonicalAttest(AttestProvenance, "mode=max")}, map[string]string{"attest:provenance": "mode=max"}},
		{[]string{CanonicalAttest(AttestSBOM, "generator=127.0.0.1:5000/tools/scan:1")}, map[string]string{"attest:sbom": "generator=127.0.0.1:5000/tools/scan:1"}},
		{[]string{"type=provenance,mode=max,version=v1", "type=sbom"}, map[string]string{"attest:provenance": "mode=max,version=v1", "attest:sbom": ""}},
		// $HOIST_ATTEST split at commas reads as the command line.
		{[]string{"type=provenance", "mode=max", "type=sbom", "disabled=true"}, map[string]string{"attest:provenance": "mode=max"}},
		{[]string{`type=sbom,"generator=a/b:1",scan-stage=true`}, map[string]string{"attest:sbom": "generator=a/b:1,scan-stage=true"}},
	} {
		got, err := ParseAttests(tc.in)
		if err != nil {
			t.Errorf("ParseAttests(%q) error = %v", tc.in, err)
			continue
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("ParseAttests(%q) (-want +got):\n%s", tc.in, diff)
		}
	}
	for _, in := range [][]string{
		{"type=provenance", "type=provenance,mode=max"},
		{"type=provenance,mode=full"},
		{"type=provenance,version=v9"},
		{"type=sbom,generator=bad image"},
		{"type=vex"},
		{"mode=max"},
		{"type=sbom,disabled=maybe"},
		{"type=sbom,generator"},
	} {
		if got, err := ParseAttests(in); err == nil {
			t.Errorf("ParseAttests(%q) = %v, want an error", in, got)
		}
	}
}
