package stack

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// RegistryBinary is the distribution registry that Debian's docker-registry
// package installs.
const RegistryBinary = "docker-registry"

// Registry implementations the tests run against (RegistryOptions.Kind).
const (
	// Distribution2 is Debian's docker-registry, distribution 2.8.
	Distribution2 = "distribution2"
	// Distribution3 is distribution v3 (hack/setup.sh installs it as
	// distribution-registry).
	Distribution3 = "distribution3"
	// GGCR is go-containerregistry's registry, run as its own process
	// (internal/cmd/ociregistry): in memory, OCI-native, with the
	// referrers API; it has no auth.
	GGCR = "ggcr"
)

// RegistryKinds lists every registry implementation, for tests that run
// the same flows against each.
var RegistryKinds = []string{Distribution2, Distribution3, GGCR}

// Distribution3Binary is the name hack/setup.sh installs distribution v3
// under.
const Distribution3Binary = "distribution-registry"

// RegistryOptions configure a registry.
type RegistryOptions struct {
	// Kind is the implementation; Distribution2 when empty.
	Kind string
	// Port to listen on, on 127.0.0.1; 0 picks a free one.
	Port int
	// Username and Password turn on htpasswd auth.
	Username, Password string
	// Dir holds the storage and config; a new temp dir when empty.
	Dir string
	// Auth is the config's auth section, e.g. TokenServer.RegistryAuth;
	// it replaces htpasswd auth.
	Auth string
	// TLS, when set, makes the registry serve HTTPS with its certificate
	// and key (not for GGCR); distribution offers HTTP/2 there.
	TLS *TLSFiles
}

// Registry is a running distribution registry.
type Registry struct {
	// Host is 127.0.0.1:PORT.
	Host string
	tls  *TLSFiles
	cmd  *exec.Cmd
	dir  string
	temp bool
	done chan struct{}
}

// StartRegistry starts a registry and waits until it answers.
func StartRegistry(opts RegistryOptions) (*Registry, error) {
	bin, err := registryBinary(opts.Kind)
	if err != nil {
		return nil, err
	}
	if opts.Kind == GGCR && (opts.Username != "" || opts.Auth != "") {
		return nil, errors.New("the ggcr registry has no auth")
	}
	if opts.Kind == GGCR && opts.TLS != nil {
		return nil, errors.New("the ggcr registry serves no TLS")
	}
	r := &Registry{dir: opts.Dir, tls: opts.TLS, done: make(chan struct{})}
	if r.dir == "" {
		if r.dir, err = os.MkdirTemp("", "hoist-registry-"); err != nil {
			return nil, err
		}
		r.temp = true
	}
	port := opts.Port
	if port == 0 {
		if port, err = freePort(); err != nil {
			return nil, err
		}
	}
	r.Host = fmt.Sprintf("127.0.0.1:%d", port)
	auth := opts.Auth
	if opts.Username != "" && auth == "" {
		hash, err := bcrypt.GenerateFromPassword([]byte(opts.Password), bcrypt.MinCost)
		if err != nil {
			return nil, err
		}
		htpasswd := filepath.Join(r.dir, "htpasswd")
		if err := os.WriteFile(htpasswd, []byte(opts.Username+":"+string(hash)+"\n"), 0o600); err != nil {
			return nil, err
		}
		auth = fmt.Sprintf("auth:\n  htpasswd:\n    realm: hoist-test\n    path: %s\n", htpasswd)
	}
	if opts.TLS != nil {
		// Inside http:, before auth.
		auth = fmt.Sprintf("  tls:\n    certificate: %s\n    key: %s\n", opts.TLS.Cert, opts.TLS.Key) + auth
	}
	conf := fmt.Sprintf(`version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: %s
  delete:
    enabled: true
http:
  addr: %s
  secret: hoist-test-secret
%s`, filepath.Join(r.dir, "data"), r.Host, auth)
	confPath := filepath.Join(r.dir, "config.yml")
	if err := os.WriteFile(confPath, []byte(conf), 0o600); err != nil {
		return nil, err
	}
	logf, err := os.Create(filepath.Join(r.dir, "registry.log"))
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	r.cmd = exec.Command(bin, "serve", confPath)
	if opts.Kind == GGCR {
		r.cmd = exec.Command(bin, "-addr", r.Host)
	}
	r.cmd.Stdout, r.cmd.Stderr = logf, logf
	r.cmd.Env = cleanEnv()
	r.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := r.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", bin, err)
	}
	go func() { r.cmd.Wait(); close(r.done) }()
	if err := r.waitReady(15 * time.Second); err != nil {
		r.Stop()
		return nil, err
	}
	return r, nil
}

// registryBinary finds the program of a registry kind.
func registryBinary(kind string) (string, error) {
	switch kind {
	case "", Distribution2:
		bin, err := exec.LookPath(RegistryBinary)
		if err != nil {
			return "", fmt.Errorf("%s not found: install Debian's docker-registry package (make setup)", RegistryBinary)
		}
		return bin, nil
	case Distribution3:
		bin, err := exec.LookPath(Distribution3Binary)
		if err != nil {
			return "", fmt.Errorf("%s not found: run make setup, which installs distribution v3", Distribution3Binary)
		}
		return bin, nil
	case GGCR:
		return ociRegistry()
	}
	return "", fmt.Errorf("unknown registry kind %q", kind)
}

var (
	ociOnce sync.Once
	ociBin  string
	ociErr  error
)

// ociRegistry builds internal/cmd/ociregistry once per process.
func ociRegistry() (string, error) {
	ociOnce.Do(func() {
		dir, err := os.MkdirTemp("", "hoist-ociregistry-")
		if err != nil {
			ociErr = err
			return
		}
		ociBin = filepath.Join(dir, "ociregistry")
		out, err := exec.Command("go", "build", "-o", ociBin, "github.com/hoist-build/hoist/internal/cmd/ociregistry").CombinedOutput()
		if err != nil {
			ociErr = fmt.Errorf("building the ggcr registry: %v\n%s", err, out)
		}
	})
	return ociBin, ociErr
}

// cleanEnv drops REGISTRY_* variables, which would override the config.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "REGISTRY_") {
			env = append(env, kv)
		}
	}
	return env
}

func (r *Registry) waitReady(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		select {
		case <-r.done:
			log, _ := os.ReadFile(filepath.Join(r.dir, "registry.log"))
			return fmt.Errorf("registry on %s exited: %s", r.Host, strings.TrimSpace(string(log)))
		case <-time.After(50 * time.Millisecond):
		}
		resp, err := http.Get("http://" + r.Host + "/v2/")
		if err == nil {
			resp.Body.Close()
			return nil
		}
	}
	return errors.New("registry on " + r.Host + " did not answer")
}

// Stop ends the registry and removes a temp dir it made.
func (r *Registry) Stop() {
	stop(r.cmd, r.done, 5*time.Second)
	if r.temp {
		os.RemoveAll(r.dir)
	}
}

// freePort asks the kernel for a free loopback port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// stop sends SIGTERM to a started command, and SIGKILL after grace; done
// closes when the command has exited.
func stop(cmd *exec.Cmd, done <-chan struct{}, grace time.Duration) {
	if cmd == nil || cmd.Process == nil {
		return
	}
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(grace):
		cmd.Process.Kill()
		<-done
	}
}
