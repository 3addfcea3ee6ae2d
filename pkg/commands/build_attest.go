package commands

import (
	"github.com/spf13/cobra"

	"github.com/hoist-build/hoist/pkg/build"
	"github.com/hoist-build/hoist/pkg/errs"
)

// attestOptions are hoist build's attestation flags, as buildx names
// them. Attestations are off unless asked for: Codefresh adds none, and
// some registries refuse the index entries they need.
type attestOptions struct {
	provenance string
	sbom       string
	attests    []string
}

// AddFlags adds --provenance, --sbom and --attest to cmd.
func (a *attestOptions) AddFlags(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&a.provenance, "provenance", "", "add a SLSA provenance attestation: true, false or mode=min|max[,version=v0.2|v1], as buildx (--provenance alone: mode=min)")
	fl.Lookup("provenance").NoOptDefVal = "true"
	env(fl, "provenance", "HOIST_PROVENANCE")
	fl.StringVar(&a.sbom, "sbom", "", "add an SPDX SBOM attestation: true, false or generator=IMAGE (default generator "+build.DefaultSBOMGenerator+"), as buildx")
	fl.Lookup("sbom").NoOptDefVal = "true"
	env(fl, "sbom", "HOIST_SBOM")
	fl.StringArrayVar(&a.attests, "attest", nil, "attestation as buildx's --attest: type=provenance|sbom[,disabled=true][,KEY=VALUE...] (repeatable)")
	envItems(fl, "attest") // type=sbom,generator=IMAGE holds a comma
	env(fl, "attest", "HOIST_ATTEST")
}

// entries returns the attestations as --attest entries, --provenance and
// --sbom included.
func (a *attestOptions) entries() []string {
	out := append([]string{}, a.attests...)
	if e := build.CanonicalAttest(build.AttestProvenance, a.provenance); e != "" {
		out = append(out, e)
	}
	if e := build.CanonicalAttest(build.AttestSBOM, a.sbom); e != "" {
		out = append(out, e)
	}
	return out
}

// Validate checks the attestations as BuildKit would take them.
func (a *attestOptions) Validate() error {
	if _, err := build.ParseAttests(a.entries()); err != nil {
		return errs.Input("%w", err)
	}
	return nil
}
