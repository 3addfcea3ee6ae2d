package commands

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/hoist-build/hoist/internal/stack"
)

// statement is an in-toto statement as BuildKit stores it in an
// attestation manifest's layer.
type statement struct {
	PredicateType string `json:"predicateType"`
	Subject       []struct {
		Name   string            `json:"name"`
		Digest map[string]string `json:"digest"`
	} `json:"subject"`
	Predicate json.RawMessage `json:"predicate"`
}

// attestation is the attestation manifest of an index, as read from the
// registry: its digest, the image manifest it describes, and its
// statements.
type attestation struct {
	digest, image v1.Hash
	statements    []statement
}

// attestationOf finds the attestation manifest in the index at ref:
// platform unknown/unknown, vnd.docker.reference.type attestation-manifest.
func attestationOf(t *testing.T, ref string) (v1.Hash, attestation) {
	t.Helper()
	r, _ := name.ParseReference(ref)
	idx, err := remote.Index(r)
	if err != nil {
		t.Fatalf("%s is not an index: %v", ref, err)
	}
	d, _ := idx.Digest()
	im, _ := idx.IndexManifest()
	var att attestation
	for _, m := range im.Manifests {
		if m.Platform == nil || m.Platform.OS != "unknown" || m.Annotations["vnd.docker.reference.type"] != "attestation-manifest" {
			continue
		}
		if att.digest.Hex != "" {
			t.Fatalf("%s holds two attestation manifests", ref)
		}
		att.digest = m.Digest
		if att.image, err = v1.NewHash(m.Annotations["vnd.docker.reference.digest"]); err != nil {
			t.Fatalf("attestation %s: reference digest: %v", m.Digest, err)
		}
		img, err := idx.Image(m.Digest)
		if err != nil {
			t.Fatal(err)
		}
		layers, _ := img.Layers()
		for _, l := range layers {
			rc, err := l.Compressed()
			if err != nil {
				t.Fatal(err)
			}
			data, _ := io.ReadAll(rc)
			rc.Close()
			var s statement
			if err := json.Unmarshal(data, &s); err != nil {
				t.Fatalf("attestation layer is not an in-toto statement: %v\n%s", err, data)
			}
			att.statements = append(att.statements, s)
		}
	}
	if att.digest.Hex == "" {
		t.Fatalf("%s holds no attestation manifest: %+v", ref, im.Manifests)
	}
	return d, att
}

// TestProvenancePromoted: --provenance puts a SLSA provenance attestation
// in the pushed index, about the image manifest in it; the metadata file
// records the index's digest; hoist promote to another registry carries
// the index, its attestation manifest and a signature-like referrer with
// the same digests.
func TestProvenancePromoted(t *testing.T) {
	needStack(t)
	dir := writeFiles(t, map[string]string{"Dockerfile": "ARG BASE\nFROM ${BASE}\nRUN echo provenance > /p\n"})
	regs := registriesFile(t, "")
	meta := filepath.Join(t.TempDir(), "meta.json")
	// Off by default: the same build without the flag is one image manifest.
	mustHoist(t, "build", dir, "--image-name", "attest/app", "--tag", "plain", "--registry", "a",
		"--build-arg", "BASE="+baseImage, "--registries", regs, "--builder", bk.Addr, "--progress", "quiet")
	plain, _ := name.ParseReference(regA.Host + "/team-a/attest/app:plain")
	if d, err := remote.Head(plain); err != nil || d.MediaType.IsIndex() {
		t.Errorf("a build without --provenance: %v, %v; want one image manifest, no attestation", d, err)
	}
	mustHoist(t, "build", dir, "--image-name", "attest/app", "--tag", "v1", "--registry", "a", "--provenance=mode=max",
		"--metadata-file", meta, "--build-arg", "BASE="+baseImage, "--registries", regs, "--builder", bk.Addr, "--progress", "quiet")
	src := regA.Host + "/team-a/attest/app:v1"
	idxDigest, att := attestationOf(t, src)
	if len(att.statements) != 1 {
		t.Fatalf("attestation statements = %d, want one provenance", len(att.statements))
	}
	s := att.statements[0]
	if s.PredicateType != "https://slsa.dev/provenance/v0.2" && s.PredicateType != "https://slsa.dev/provenance/v1" {
		t.Errorf("predicateType = %q, want SLSA provenance", s.PredicateType)
	}
	if len(s.Subject) == 0 || s.Subject[0].Digest["sha256"] != att.image.Hex {
		t.Errorf("provenance subject = %+v, want the image manifest %s", s.Subject, att.image)
	}
	if !strings.Contains(string(s.Predicate), "RUN echo provenance") && !strings.Contains(string(s.Predicate), "Dockerfile") {
		t.Errorf("mode=max provenance does not describe the build:\n%.400s", s.Predicate)
	}
	var m map[string]any
	data, _ := os.ReadFile(meta)
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	if m["containerimage.digest"] != idxDigest.String() {
		t.Errorf("metadata containerimage.digest = %v, want the pushed index %s", m["containerimage.digest"], idxDigest)
	}

	// A signature-like referrer of the index, as cosign would attach it.
	repoA, _ := name.NewRepository(regA.Host+"/team-a/attest/app", name.Insecure)
	sig := signature(t, repoA, idxDigest)

	mustHoist(t, "promote", src, "--to", "b", "--registries", regs)
	repoB, _ := name.NewRepository(regB.Host+"/team-b/attest/app", name.Insecure)
	if got := digestOf(t, repoB.Tag("v1").String(), nil); got != idxDigest.String() {
		t.Errorf("promoted index = %q, want %s", got, idxDigest)
	}
	gotIdx, gotAtt := attestationOf(t, repoB.Digest(idxDigest.String()).String())
	if gotIdx != idxDigest || gotAtt.digest != att.digest || gotAtt.image != att.image {
		t.Errorf("promoted index %s, attestation %s of %s; want %s, %s of %s", gotIdx, gotAtt.digest, gotAtt.image, idxDigest, att.digest, att.image)
	}
	if _, err := remote.Head(repoB.Digest(att.digest.String())); err != nil {
		t.Errorf("the attestation manifest %s is not in %s: %v", att.digest, repoB, err)
	}
	refs, err := remote.Referrers(repoB.Digest(idxDigest.String()))
	if err != nil {
		t.Fatal(err)
	}
	im, _ := refs.IndexManifest()
	if len(im.Manifests) != 1 || im.Manifests[0].Digest != sig {
		t.Errorf("referrers at %s = %+v, want the signature %s", repoB, im.Manifests, sig)
	}
}

// signature writes a cosign-like signature artifact that refers to the
// manifest d in repo, and returns its digest.
func signature(t *testing.T, repo name.Repository, d v1.Hash) v1.Hash {
	t.Helper()
	desc, err := remote.Head(repo.Digest(d.String()))
	if err != nil {
		t.Fatal(err)
	}
	sig := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), "application/vnd.dev.cosign.artifact.sig.v1+json")
	sig, err = mutate.Append(sig, mutate.Addendum{
		Layer:       static.NewLayer([]byte(`{"critical":{"image":{"docker-manifest-digest":"`+d.String()+`"}}}`), "application/vnd.dev.cosign.simplesigning.v1+json"),
		Annotations: map[string]string{"dev.cosignproject.cosign/signature": "MEUCIQDstand-in"},
	})
	if err != nil {
		t.Fatal(err)
	}
	sig = mutate.Subject(sig, v1.Descriptor{MediaType: desc.MediaType, Size: desc.Size, Digest: desc.Digest}).(v1.Image)
	sd, _ := sig.Digest()
	if err := remote.Write(repo.Digest(sd.String()), sig); err != nil {
		t.Fatalf("writing the signature: %v", err)
	}
	return sd
}

// TestSBOMStandInGenerator: --sbom=generator=IMAGE runs that image by
// BuildKit's SBOM generator protocol (here a stand-in built from busybox,
// as a real scanner cannot be downloaded) and the index pushed to two
// registries holds its SPDX document, which lists the file the build
// wrote with its SHA-256.
func TestSBOMStandInGenerator(t *testing.T) {
	needStack(t)
	gen := regA.Host + "/tools/sbom-stand-in:1"
	if _, err := stack.PushSBOMGenerator(gen); err != nil {
		t.Fatal(err)
	}
	dir := writeFiles(t, map[string]string{"Dockerfile": "ARG BASE\nFROM ${BASE}\nRUN echo scanned > /scanned.txt\n"})
	mustHoist(t, "build", dir, "--image-name", "attest/sbom", "--tag", "v1", "--registry", "a", "--registry", "b", "--sbom=generator="+gen,
		"--build-arg", "BASE="+baseImage, "--registries", registriesFile(t, ""), "--builder", bk.Addr, "--progress", "quiet")
	idx, att := attestationOf(t, regA.Host+"/team-a/attest/sbom:v1")
	// Two targets read each blob once and write the same index to both.
	if idxB, attB := attestationOf(t, regB.Host+"/team-b/attest/sbom:v1"); idxB != idx || attB.digest != att.digest {
		t.Errorf("registry b holds index %s, attestation %s; want %s, %s as in a", idxB, attB.digest, idx, att.digest)
	}
	var spdx *statement
	for i, s := range att.statements {
		if s.PredicateType == "https://spdx.dev/Document" {
			spdx = &att.statements[i]
		}
	}
	if spdx == nil {
		t.Fatalf("no SPDX statement among %d", len(att.statements))
	}
	if len(spdx.Subject) == 0 || spdx.Subject[0].Digest["sha256"] != att.image.Hex {
		t.Errorf("SBOM subject = %+v, want the image manifest %s", spdx.Subject, att.image)
	}
	var doc struct {
		CreationInfo struct{ Creators []string }
		Files        []struct {
			FileName  string
			Checksums []struct{ Algorithm, ChecksumValue string }
		}
	}
	if err := json.Unmarshal(spdx.Predicate, &doc); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(doc.CreationInfo.Creators, stack.SBOMGeneratorTool) {
		t.Errorf("SPDX creators = %v, want the stand-in generator among them", doc.CreationInfo.Creators)
	}
	sum := sha256.Sum256([]byte("scanned\n"))
	found := false
	for _, f := range doc.Files {
		if f.FileName == "./scanned.txt" && len(f.Checksums) == 1 && f.Checksums[0].ChecksumValue == hex.EncodeToString(sum[:]) {
			found = true
		}
	}
	if !found {
		t.Errorf("the SBOM does not list ./scanned.txt with its SHA-256 among %d files", len(doc.Files))
	}
}

// TestAttestBadInput: a malformed attestation is one line, exit 2,
// before anything builds.
func TestAttestBadInput(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{"Dockerfile": "FROM scratch\n"})
	for _, tc := range []struct {
		flag, want string
	}{
		{"--provenance=mode=huge", `hoist: attestation "type=provenance,mode=huge": mode must be min or max, got "huge"` + "\n"},
		{"--attest=type=vex", `hoist: attestation "type=vex": unknown type "vex" (provenance or sbom)` + "\n"},
		{"--attest=mode=max", `hoist: attestation "mode=max": no type= (provenance or sbom)` + "\n"},
		{"--sbom=generator=bad image", `hoist: attestation "type=sbom,generator=bad image": generator "bad image" is not an image reference: invalid reference format` + "\n"},
	} {
		r := hoist(t, "build", dir, "--image-name", "acme/app", "--no-push", "--dry-run", tc.flag)
		if r.code != 2 || r.stderr != tc.want {
			t.Errorf("%s: exit %d, stderr %q; want exit 2, %q", tc.flag, r.code, r.stderr, tc.want)
		}
	}
	r := hoist(t, "build", dir, "--image-name", "acme/app", "--no-push", "--dry-run", "--provenance", "--attest", "type=provenance,mode=max")
	want := `hoist: attestation "type=provenance,disabled=false": type provenance given twice (--attest, --provenance or --sbom)` + "\n"
	if r.code != 2 || r.stderr != want {
		t.Errorf("provenance twice: exit %d, stderr %q; want exit 2, %q", r.code, r.stderr, want)
	}
}
