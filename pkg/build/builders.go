package build

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"gopkg.in/yaml.v3"

	"github.com/hoist-build/hoist/pkg/errs"
)

// buildersFile is a builders file: the team's BuildKit daemons.
type buildersFile struct {
	Builders []struct {
		Name      string   `yaml:"name"`
		Address   string   `yaml:"address"`
		Platforms []string `yaml:"platforms"`
		TLS       struct {
			CACert     string `yaml:"ca_cert"`
			Cert       string `yaml:"cert"`
			Key        string `yaml:"key"`
			ServerName string `yaml:"server_name"`
			Dir        string `yaml:"dir"`
		} `yaml:"tls"`
		Line int `yaml:"-"`
	} `yaml:"builders"`
}

// LoadBuilders reads a builders file (--builders):
//
//	builders:
//	  - name: amd64-1
//	    address: tcp://buildkitd-amd64:1234
//	    platforms: [linux/amd64]        # built natively
//	    tls: {ca_cert: ca.pem, cert: cert.pem, key: key.pem, server_name: buildkitd}
//
// Names are unique and every builder has an address.
func LoadBuilders(path string) ([]Options, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, errs.Input("--builders %s: %w", path, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	var bf buildersFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&bf); err != nil && err != io.EOF {
		return nil, errs.YAML(path, data, err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err == nil && len(doc.Content) > 0 {
		top := doc.Content[0]
		for i := 0; i+1 < len(top.Content); i += 2 {
			if top.Content[i].Value == "builders" {
				for j, item := range top.Content[i+1].Content {
					if j < len(bf.Builders) {
						bf.Builders[j].Line = item.Line
					}
				}
			}
		}
	}
	seen := map[string]int{}
	var out []Options
	for i, b := range bf.Builders {
		field := fmt.Sprintf("builders[%d]", i)
		switch {
		case b.Name == "":
			return nil, &errs.InputError{File: path, Line: b.Line, Field: field + ".name", Msg: "required"}
		case b.Address == "":
			return nil, &errs.InputError{File: path, Line: b.Line, Field: field + ".address", Msg: "required"}
		case seen[b.Name] != 0:
			return nil, &errs.InputError{File: path, Line: b.Line, Field: field + ".name", Msg: fmt.Sprintf("%q is defined twice, on lines %d and %d", b.Name, seen[b.Name], b.Line)}
		}
		seen[b.Name] = b.Line
		out = append(out, Options{Name: b.Name, Addr: b.Address, Platforms: b.Platforms,
			TLS: TLS{CACert: b.TLS.CACert, Cert: b.TLS.Cert, Key: b.TLS.Key, ServerName: b.TLS.ServerName, Dir: b.TLS.Dir}})
	}
	return out, nil
}
