package build

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hoist-build/hoist/pkg/registries"
)

// writeFile writes a file that passes for a CA file.
// writeFile writes a self-signed CA certificate to path, as a ca_file.
func writeFile(t *testing.T, path string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"}, NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

func testConfig(t *testing.T, yaml string) *registries.Config {
	t.Helper()
	cfg, err := registries.Load(strings.NewReader(yaml), "registries.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestWarnCAFiles: a builder hoist did not start gets one warning line
// per integration with a ca_file, naming it and the CA.
func TestWarnCAFiles(t *testing.T) {
	t.Parallel()
	ca := t.TempDir() + "/ca.pem"
	writeFile(t, ca)
	cfg := testConfig(t, `registries:
  - name: corp
    domain: registry.corp.example:5443
    ca_file: `+ca+`
  - name: hub
    provider: dockerhub
  - name: corp-mirror
    domain: mirror.corp.example
    ca_file: `+ca+`
`)
	var b strings.Builder
	warnCAFiles(&b, cfg, "tcp://builder:1234")
	want := `hoist: warning: registry "corp" (registry.corp.example:5443): the builder at tcp://builder:1234 must trust its CA (ca_file ` + ca + `) itself: hoist cannot pass it on, and the builder pulls base images and cache from it
hoist: warning: registry "corp-mirror" (mirror.corp.example): the builder at tcp://builder:1234 must trust its CA (ca_file ` + ca + `) itself: hoist cannot pass it on, and the builder pulls base images and cache from it
`
	if b.String() != want {
		t.Errorf("warnCAFiles wrote\n%s\nwant\n%s", b.String(), want)
	}
	b.Reset()
	warnCAFiles(&b, nil, "tcp://builder:1234")
	warnCAFiles(&b, testConfig(t, "registries:\n  - name: hub\n    provider: dockerhub\n"), "tcp://builder:1234")
	if b.String() != "" {
		t.Errorf("without ca_file: %q, want nothing", b.String())
	}
}
