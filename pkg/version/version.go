package version

import (
	"runtime"
	"runtime/debug"
)

// Set by the release build (-ldflags "-X ..."); see .goreleaser.yaml.
var (
	// Version is the release version, e.g. 1.4.0; "devel" in a plain build.
	Version = ""
	// Commit is the git commit the binary was built from.
	Commit = ""
	// Date is when the binary was built (RFC 3339).
	Date = ""
)

// Info is what `hoist version` prints.
type Info struct {
	Version  string `json:"version"`
	Commit   string `json:"commit"`
	Date     string `json:"date"`
	Go       string `json:"go"`
	BuildKit string `json:"buildkit_client"`
	Platform string `json:"platform"`
}

// Get returns the build's Info: the -ldflags values where set, else what
// the Go toolchain recorded (module version, vcs revision and time).
func Get() Info {
	i := Info{Version: Version, Commit: Commit, Date: Date, Go: runtime.Version(), BuildKit: "unknown", Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if i.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			i.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch {
			case s.Key == "vcs.revision" && i.Commit == "":
				i.Commit = s.Value
			case s.Key == "vcs.time" && i.Date == "":
				i.Date = s.Value
			}
		}
		for _, d := range bi.Deps {
			if d.Path == "github.com/moby/buildkit" {
				i.BuildKit = d.Version
			}
		}
	}
	if i.Version == "" {
		i.Version = "devel"
	}
	if i.Commit == "" {
		i.Commit = "unknown"
	}
	if i.Date == "" {
		i.Date = "unknown"
	}
	return i
}

// String is the one line `hoist --version` prints.
func (i Info) String() string {
	return i.Version + " (commit " + short(i.Commit) + ", built " + i.Date + ", " + i.Go + ", buildkit client " + i.BuildKit + ", " + i.Platform + ")"
}

func short(commit string) string {
	if len(commit) > 12 {
		return commit[:12]
	}
	return commit
}
