package build

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseOutput(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Output
		push bool
	}{
		{"type=oci,dest=app.tar", Output{Type: "oci", Dest: "/w/app.tar", Attrs: map[string]string{}}, false},
		{"type=docker,dest=/x/d.tar,compression=zstd", Output{Type: "docker", Dest: "/x/d.tar", Attrs: map[string]string{"compression": "zstd"}}, false},
		{"-", Output{Type: "tar", Dest: "-", Attrs: map[string]string{}}, false},
		{"out", Output{Type: "local", Dest: "/w/out", Attrs: map[string]string{}}, false},
		{"type=registry", Output{Type: "registry", Attrs: map[string]string{}}, true},
		{"type=image,push=false", Output{Type: "image", Attrs: map[string]string{"push": "false"}}, false},
		{`type=image,"name=r.example/a:1,r.example/a:2"`, Output{Type: "image", Attrs: map[string]string{"name": "r.example/a:1,r.example/a:2"}}, true},
	} {
		got, err := ParseOutput(tc.in, "/w")
		if err != nil {
			t.Errorf("ParseOutput(%q) error %v", tc.in, err)
			continue
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("ParseOutput(%q) (-want +got):\n%s", tc.in, diff)
		}
		if got.Publishes() != tc.push {
			t.Errorf("ParseOutput(%q).Publishes() = %v, want %v", tc.in, got.Publishes(), tc.push)
		}
	}
	for in, want := range map[string]string{
		"type=oci,dest=a.tar,tar=false":  `"type=oci,dest=a.tar,tar=false": tar=false: hoist writes oci outputs as a tar file (type=local writes a folder)`,
		"type=local,dest=-":              `"type=local,dest=-": type=local writes a folder, not stdout (use type=tar,dest=-)`,
		"type=registry,compression=zstd": `"type=registry,compression=zstd": compression=: hoist pushes the image itself, by digest; type=registry takes name= and push=`,
		"type=image,push=maybe":          `"type=image,push=maybe": push=maybe must be true or false`,
		"dest=a.tar":                     `"dest=a.tar": type= is required (image, registry, oci, docker, tar or local)`,
	} {
		if _, err := ParseOutput(in, "/w"); err == nil || err.Error() != want {
			t.Errorf("ParseOutput(%q) error = %v, want %s", in, err, want)
		}
	}
}

func TestParseCache(t *testing.T) {
	from, err := ParseCacheFrom([]string{"r.example/app:cache", "type=local,src=c", "type=registry,ref=r.example/app:c2"}, "/w")
	if err != nil {
		t.Fatal(err)
	}
	want := []map[string]string{{"ref": "r.example/app:cache"}, {"src": "/w/c"}, {"ref": "r.example/app:c2"}}
	for i, e := range from {
		if diff := cmp.Diff(want[i], e.Attrs); diff != "" {
			t.Errorf("ParseCacheFrom entry %d (-want +got):\n%s", i, diff)
		}
	}
	to, err := ParseCacheTo([]string{"type=local,dest=/c,mode=max", "r.example/app:cache"}, "/w")
	if err != nil || to[0].Attrs["mode"] != "max" || to[1].Type != "registry" || to[1].Attrs["mode"] != "min" {
		t.Errorf("ParseCacheTo = %+v, %v; want a local mode=max export and a registry mode=min one", to, err)
	}
	for in, want := range map[string]string{
		"type=inline":          `"type=inline": type=inline only exports: import an inline cache with type=registry,ref=IMAGE`,
		"type=registry,mode=x": `"type=registry,mode=x": type=registry needs ref=`,
		"type=s3,bucket=b":     `"type=s3,bucket=b": type=s3: hoist takes registry, local or inline caches`,
	} {
		if _, err := ParseCacheFrom([]string{in}, "/w"); err == nil || err.Error() != want {
			t.Errorf("ParseCacheFrom(%q) error = %v, want %s", in, err, want)
		}
	}
}
