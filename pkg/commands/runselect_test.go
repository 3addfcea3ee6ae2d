package commands

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestRunSkipScaleEntries: --skip and --only name a scale: entry by its
// entry name where it is unique, or as STEP/ENTRY (always); an entry name
// two steps' scale: entries share is exit 2 naming the STEP/ENTRY names
// to pick from. A freestyle step that waits for a step left out (notify
// waits for push_gcr) does not keep it: hoist does not run it. A parallel
// list's entries are named 0, 1, ... (the corpus
// files of both shapes, planned as TestCorpus plans them).
func TestRunSkipScaleEntries(t *testing.T) {
	t.Parallel()
	root := filepath.Join("..", "..", "testdata", "corpus")
	plan := func(t *testing.T, dir string, args ...string) result {
		t.Helper()
		all := []string{"explain", "-f", filepath.Join(root, dir, "codefresh.yml"), "--registries", filepath.Join(root, "registries.yaml")}
		for _, v := range append(corpusVars, readVars(t, filepath.Join(root, dir, "vars"))...) {
			all = append(all, "--var", v)
		}
		return hoist(t, append(all, args...)...)
	}
	const shared = "13-scale-shared-entries"
	const notify = "step notify: skipped: when.steps: step push_gcr ended skipped, not success"
	for _, tc := range []struct {
		args []string
		// skipped are the plan's lines for the steps left out.
		skipped []string
	}{
		{[]string{"--skip", "push_dev/push_quay"}, []string{"step push_dev/push_quay: skipped: left out by --skip"}},
		{[]string{"--skip", "push_gcr"}, []string{"step push_gcr: skipped: left out by --skip", notify}},
		{[]string{"--skip", "push_release/push_gcr"}, []string{"step push_gcr: skipped: left out by --skip", notify}},
		{[]string{"--only", "push_release/push_dockerhub"}, []string{
			"step push_dev: skipped: not named by --only",
			"step push_release/push_quay: skipped: not named by --only",
			"step push_gcr: skipped: not named by --only",
			"step notify: skipped: not named by --only",
		}},
	} {
		r := plan(t, shared, tc.args...)
		if r.code != 0 {
			t.Errorf("hoist explain %s: exit %d, stderr %q", strings.Join(tc.args, " "), r.code, r.stderr)
			continue
		}
		var got []string
		for _, l := range strings.Split(r.stdout, "\n") {
			if strings.Contains(l, ": skipped: ") && !strings.Contains(l, "freestyle") {
				got = append(got, l)
			}
		}
		if strings.Join(got, "\n") != strings.Join(tc.skipped, "\n") {
			t.Errorf("hoist explain %s: steps left out:\n%s\nwant:\n%s", strings.Join(tc.args, " "), strings.Join(got, "\n"), strings.Join(tc.skipped, "\n"))
		}
	}
	for _, flag := range []string{"--skip", "--only"} {
		r := plan(t, shared, flag, "push_quay")
		want := "hoist: " + flag + " push_quay: the scale: entries of several steps have this name; name one as push_dev/push_quay or push_release/push_quay\n"
		if r.code != ExitBadInput || r.stderr != want || r.stdout != "" {
			t.Errorf("hoist explain %s push_quay: exit %d, stdout %q, stderr %q; want exit 2, %q", flag, r.code, r.stdout, r.stderr, want)
		}
	}
	r := plan(t, "26-parallel-steps-list", "--skip", "0")
	if r.code != 0 || !strings.Contains(r.stdout, "step 0: skipped: left out by --skip\n") || !strings.Contains(r.stdout, "step 1: skipped: freestyle") {
		t.Errorf("hoist explain --skip 0: exit %d\nstdout:\n%s\nstderr %q", r.code, r.stdout, r.stderr)
	}
}
