package progress

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"
)

// buildkitStatus is one status as BuildKit sends it, touching every field
// the display keys on.
func buildkitStatus() *client.SolveStatus {
	start := t0
	base, run := digest.FromString("FROM alpine"), digest.FromString("RUN make")
	return &client.SolveStatus{
		Vertexes: []*client.Vertex{
			{Digest: base, Name: "[1/2] FROM docker.io/library/alpine", Started: &start,
				ProgressGroup: &pb.ProgressGroup{Id: "group-1", Name: "exporting", Weak: true}},
			{Digest: run, Inputs: []digest.Digest{base}, Name: "[2/2] RUN make", Started: &start},
		},
		Statuses: []*client.VertexStatus{{ID: "sha256:aaa", Vertex: base, Current: 1, Total: 2, Timestamp: start}},
		Logs:     []*client.VertexLog{{Vertex: run, Stream: 1, Data: []byte("cc -o app\n"), Timestamp: start}},
		Warnings: []*client.VertexWarning{{Vertex: run, Short: []byte("deprecated")}},
	}
}

func TestRewrite(t *testing.T) {
	t.Parallel()
	p := &Printer{}
	// keyed(key)(d) is the digest d has in the step whose key is key.
	keyed := func(key string) func(digest.Digest) digest.Digest {
		return func(d digest.Digest) digest.Digest { return digest.FromString(key + "\x00" + string(d)) }
	}
	tests := []struct {
		name   string
		path   []string
		prefix string
		in     func(digest.Digest) digest.Digest
	}{
		{name: "step", path: []string{"build"}, prefix: "[build] ", in: keyed(`"build"`)},
		{name: "nested", path: []string{"tests", "unit"}, prefix: "[tests] [unit] ", in: keyed(`"tests""unit"`)},
		{name: "empty names left out", path: []string{"", "tests", ""}, prefix: "[tests] ", in: keyed(`"tests"`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ss := buildkitStatus()
			got := p.Step(tt.path...).rewrite(ss)

			want := buildkitStatus()
			base, run := want.Vertexes[0].Digest, want.Vertexes[1].Digest
			want.Vertexes[0].Digest = tt.in(base)
			want.Vertexes[0].Name = tt.prefix + "[1/2] FROM docker.io/library/alpine"
			want.Vertexes[0].Inputs = []digest.Digest{}
			want.Vertexes[0].ProgressGroup = &pb.ProgressGroup{Id: tt.in("group-1").String(), Name: tt.prefix + "exporting", Weak: true}
			want.Vertexes[1].Digest = tt.in(run)
			want.Vertexes[1].Inputs = []digest.Digest{tt.in(base)}
			want.Vertexes[1].Name = tt.prefix + "[2/2] RUN make"
			want.Statuses[0].Vertex = tt.in(base)
			want.Logs[0].Vertex = tt.in(run)
			want.Warnings[0].Vertex = tt.in(run)

			opts := cmp.Options{cmpopts.IgnoreUnexported(pb.ProgressGroup{}), cmpopts.EquateEmpty()}
			if diff := cmp.Diff(want, got, opts); diff != "" {
				t.Errorf("Step(%q).rewrite (-want +got):\n%s", tt.path, diff)
			}
			if diff := cmp.Diff(buildkitStatus(), ss, opts); diff != "" {
				t.Errorf("Step(%q).rewrite changed its input (-before +after):\n%s", tt.path, diff)
			}
		})
	}
}

func TestRewriteWithoutStep(t *testing.T) {
	t.Parallel()
	ss := buildkitStatus()
	for _, s := range []*Step{(&Printer{}).Step(), (&Printer{}).Step(""), (&Printer{}).Step().Child("")} {
		if got := s.rewrite(ss); got != ss {
			t.Errorf("rewrite without a step name = %+v, want its input unchanged", got)
		}
	}
}

func TestRewriteKeepsStepsApart(t *testing.T) {
	t.Parallel()
	p := &Printer{}
	seen := map[digest.Digest][]string{}
	// No two paths share digests, however their names are cut.
	for _, path := range [][]string{{"a"}, {"b"}, {"a", "b"}, {"a b"}, {"a\x00b"}, {`a"`, "b"}, {"a", `"b`}, {`a""b`}} {
		d := p.Step(path...).rewrite(buildkitStatus()).Vertexes[0].Digest
		if other, ok := seen[d]; ok {
			t.Errorf("steps %q and %q share digest %s", path, other, d)
		}
		seen[d] = path
	}
}
