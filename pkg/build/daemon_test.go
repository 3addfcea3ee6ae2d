//go:build linux

package build

import "testing"

// TestDaemonConfig: hoist's own buildkitd uses plain HTTP only for the
// domains of insecure integrations, and is told so explicitly for every
// other domain, loopback ones included (BuildKit's own default would use
// plain HTTP there); CA files are trusted; an endpoint is a mirror of its
// domain.
func TestDaemonConfig(t *testing.T) {
	t.Parallel()
	ca := t.TempDir() + "/ca.pem"
	writeFile(t, ca)
	cfg := testConfig(t, `registries:
  - name: local
    domain: 127.0.0.1:5000
    insecure: true
  - name: local-team
    domain: 127.0.0.1:5000
    prefix: team
  - name: secure
    domain: 127.0.0.1:5001
  - name: corp
    domain: registry.corp.example
    ca_file: `+ca+`
  - name: ecr
    provider: ecr
    domain: 123456789012.dkr.ecr.us-east-1.amazonaws.com
    endpoint: 127.0.0.1:5002
    insecure: true
`)
	want := `[registry."127.0.0.1:5000"]
  http = true
  insecure = true
[registry."127.0.0.1:5001"]
  http = false
[registry."registry.corp.example"]
  http = false
  ca = ["` + ca + `"]
[registry."123456789012.dkr.ecr.us-east-1.amazonaws.com"]
  mirrors = ["127.0.0.1:5002"]
  http = true
  insecure = true
[registry."127.0.0.1:5002"]
  http = true
  insecure = true
`
	if got := daemonConfig(cfg); got != want {
		t.Errorf("daemonConfig =\n%s\nwant\n%s", got, want)
	}
}
