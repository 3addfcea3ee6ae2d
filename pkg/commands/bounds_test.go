//go:build unix

package commands

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestInputBounds: pipeline files, registries files, CA files and
// Dockerfiles are read only when they are regular files under their cap;
// anything else is one line and exit 2, at once (a named pipe never
// blocks, a device is never read).
func TestInputBounds(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"Dockerfile":    "FROM scratch\n",
		"codefresh.yml": "version: \"1.0\"\nsteps:\n  app:\n    type: build\n    image_name: x\n",
		"fifo-df.yml":   "version: \"1.0\"\nsteps:\n  app:\n    type: build\n    image_name: x\n    dockerfile: fifo\n",
		"zero-df.yml":   "version: \"1.0\"\nsteps:\n  app:\n    type: build\n    image_name: x\n    dockerfile: /dev/zero\n",
		"big-df.yml":    "version: \"1.0\"\nsteps:\n  app:\n    type: build\n    image_name: x\n    dockerfile: big\n",
		"ca-zero.yaml":  "registries:\n  - name: a\n    domain: 127.0.0.1:1\n    ca_file: /dev/zero\n",
	})
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	// Sparse files one byte over the caps: nothing large on disk or in git.
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, 1<<20+1); err != nil {
		t.Fatal(err)
	}
	bigCA := filepath.Join(dir, "big-ca")
	if err := os.WriteFile(bigCA, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(bigCA, 4<<20+1); err != nil {
		t.Fatal(err)
	}
	caBig := filepath.Join(dir, "ca-big.yaml")
	if err := os.WriteFile(caBig, []byte("registries:\n  - name: a\n    domain: 127.0.0.1:1\n    ca_file: "+bigCA+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	caFifo := filepath.Join(dir, "ca-fifo.yaml")
	if err := os.WriteFile(caFifo, []byte("registries:\n  - name: a\n    domain: 127.0.0.1:1\n    ca_file: "+fifo+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	pipe := filepath.Join(dir, "codefresh.yml")
	noRegs := filepath.Join(dir, "none.yaml")
	if err := os.WriteFile(noRegs, []byte("registries: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"validate", "-f", fifo}, fifo + ": not a regular file (a named pipe)"},
		{[]string{"validate", "-f", "/dev/zero"}, "/dev/zero: not a regular file (a character device)"},
		{[]string{"validate", "-f", big}, big + ": larger than 1 MiB, the limit for a pipeline file"},
		{[]string{"validate", "-f", dir}, dir + ": not a regular file (a folder)"},
		{[]string{"run", "--dry-run", "-f", fifo, "--registries", noRegs}, fifo + ": not a regular file (a named pipe)"},
		{[]string{"explain", "-f", pipe, "--registries", "/dev/zero"}, "/dev/zero: not a regular file (a character device)"},
		{[]string{"explain", "-f", pipe, "--registries", fifo}, fifo + ": not a regular file (a named pipe)"},
		{[]string{"explain", "-f", pipe, "--registries", big}, big + ": larger than 1 MiB, the limit for a registries file"},
		{[]string{"explain", "-f", pipe, "--registries", filepath.Join(dir, "ca-zero.yaml")}, filepath.Join(dir, "ca-zero.yaml") + ":2: registries[0].ca_file: /dev/zero: not a regular file (a character device)"},
		{[]string{"explain", "-f", pipe, "--registries", caFifo}, caFifo + ":2: registries[0].ca_file: " + fifo + ": not a regular file (a named pipe)"},
		{[]string{"explain", "-f", pipe, "--registries", caBig}, caBig + ":2: registries[0].ca_file: " + bigCA + ": larger than 4 MiB, the limit for a CA file"},
		{[]string{"explain", "-f", filepath.Join(dir, "fifo-df.yml"), "--registries", noRegs}, filepath.Join(dir, "fifo-df.yml") + ":6: steps.app.dockerfile: " + fifo + ": not a regular file (a named pipe)"},
		{[]string{"explain", "-f", filepath.Join(dir, "zero-df.yml"), "--registries", noRegs}, filepath.Join(dir, "zero-df.yml") + ":6: steps.app.dockerfile: Dockerfile /dev/zero is outside the build context's repository: a pipeline builds only its own files (hoist build -f may name any file)"},
		{[]string{"explain", "-f", filepath.Join(dir, "big-df.yml"), "--registries", noRegs}, filepath.Join(dir, "big-df.yml") + ":6: steps.app.dockerfile: " + big + ": larger than 1 MiB, the limit for a Dockerfile"},
		{[]string{"build", dir, "--image-name", "x", "-f", fifo, "--dry-run", "--registries", noRegs}, "command line: steps.build.dockerfile: " + fifo + ": not a regular file (a named pipe)"},
		{[]string{"build", dir, "--image-name", "x", "-f", "/dev/zero", "--dry-run", "--registries", noRegs}, "command line: steps.build.dockerfile: /dev/zero: not a regular file (a character device)"},
	} {
		done := make(chan result, 1)
		go func() { done <- hoist(t, tc.args...) }()
		var r result
		select {
		case r = <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("hoist %v still runs after 10 s", tc.args)
		}
		if want := "hoist: " + tc.want + "\n"; r.code != 2 || r.stderr != want {
			t.Errorf("hoist %v: exit %d, stderr %q; want exit 2, %q", tc.args, r.code, r.stderr, want)
		}
	}
}
