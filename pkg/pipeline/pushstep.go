package pipeline

import (
	"strings"

	"gopkg.in/yaml.v3"
)

// PushStep holds the fields of a push step that hoist executes. String
// fields still hold their ${{VAR}} references.
type PushStep struct {
	// Candidate is the image to push: ${{build_step}} or any reference.
	Candidate string
	Tag       string
	Tags      []string
	ImageName string
	Registry  string
	// Username and Password, when set, log in to the target registry
	// instead of the integration's own credentials.
	Username, Password string
	// Lines maps each field name that was set to the line it is on.
	Lines map[string]int
}

// pushFields are the keys a push step may have, as Codefresh's validator
// knows them.
var pushFields = map[string]bool{
	"type": true, "title": true, "description": true, "stage": true,
	"candidate": true, "tag": true, "tags": true, "image_name": true,
	"registry": true, "registry_context": true, "credentials": true,
	"provider": true, "accessKeyId": true, "secretAccessKey": true, "region": true,
	"role_arn": true, "aws_session_name": true, "aws_duration_seconds": true,
	"when": true, "fail_fast": true, "strict_fail_fast": true, "retry": true,
	"timeout": true, "scale": true, "arguments": true,
	"hooks": true, "on_success": true, "on_fail": true, "on_finish": true,
}

// pushNotActedOn says, for each push step field hoist accepts but does not
// act on, why: the file loads, and a warning names the field and its line.
var pushNotActedOn = map[string]string{
	"registry_context":     "hoist logs in to every integration itself; registry_context is not used",
	"provider":             "the registry integration's provider applies",
	"accessKeyId":          "the ECR login comes from the registry integration in the registries file",
	"secretAccessKey":      "the ECR login comes from the registry integration in the registries file",
	"region":               notActedOn["region"],
	"role_arn":             notActedOn["role_arn"],
	"aws_session_name":     notActedOn["aws_session_name"],
	"aws_duration_seconds": notActedOn["aws_duration_seconds"],
	"strict_fail_fast":     notActedOn["strict_fail_fast"],
	"hooks":                notActedOn["hooks"],
}

func (l *loader) pushStep(ps []pair, path string) (*PushStep, *When, error) {
	p := &PushStep{Lines: map[string]int{}}
	var when *When
	var candidate *yaml.Node
	err := l.fields(ps, path, pushFields, p.Lines, func(k string, key, v *yaml.Node, field string) error {
		var err error
		switch k {
		case "candidate":
			candidate = key
			p.Candidate, err = l.scalar(v, field)
			if err == nil && p.Candidate != "" && !strings.Contains(p.Candidate, "${{") {
				if cerr := CheckReference(p.Candidate); cerr != nil {
					err = l.errf(v, field, "%v", cerr)
				}
			}
		case "tag":
			p.Tag, err = l.scalar(v, field)
		case "tags":
			p.Tags, err = l.strings(v, field)
		case "image_name":
			p.ImageName, err = l.imageName(v, field)
		case "registry":
			p.Registry, err = l.scalar(v, field)
		case "credentials":
			err = l.credentials(p, v, field)
		case "when":
			when, err = l.when(v, field)
		default:
			if why, ok := pushNotActedOn[k]; ok {
				l.warn(key, field, why)
			}
		}
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	if candidate == nil || strings.TrimSpace(p.Candidate) == "" {
		var at *yaml.Node
		if candidate != nil {
			at = candidate
		} else if len(ps) > 0 {
			at = ps[0].key
		}
		return nil, nil, l.errf(at, path+".candidate", "required for a push step")
	}
	return p, when, nil
}

// credentials reads credentials: {username, password}. Their values never
// appear in an error.
func (l *loader) credentials(p *PushStep, v *yaml.Node, field string) error {
	ps, err := pairs(v)
	if err != nil {
		return l.errf(v, field, "must be a mapping with username and password")
	}
	for _, kv := range ps {
		if kv.value.Kind != yaml.ScalarNode {
			return l.errf(kv.value, field+"."+kv.key.Value, "must be a string")
		}
		switch kv.key.Value {
		case "username":
			p.Username = kv.value.Value
		case "password":
			p.Password = kv.value.Value
		default:
			return l.errf(kv.key, field+"."+kv.key.Value, "unknown field (credentials take username and password)")
		}
	}
	if p.Username == "" || p.Password == "" {
		return l.errf(v, field, "needs both username and password")
	}
	return nil
}

// Expand resolves the variables in every field of the push step that hoist
// uses. An undefined variable is an input error naming the file, line and
// field; the password's value is never shown.
func (p *PushStep) Expand(file, path string, v Vars) (*PushStep, error) {
	out := *p
	for _, f := range []struct {
		name string
		s    *string
	}{
		{"candidate", &out.Candidate}, {"image_name", &out.ImageName}, {"tag", &out.Tag},
		{"registry", &out.Registry}, {"credentials", &out.Username}, {"credentials", &out.Password},
	} {
		if err := expandField(file, path, f.name, p.Lines[f.name], f.s, v); err != nil {
			return nil, err
		}
	}
	out.Tags = make([]string, len(p.Tags))
	for i := range p.Tags {
		out.Tags[i] = p.Tags[i]
		if err := expandField(file, path, "tags", p.Lines["tags"], &out.Tags[i], v); err != nil {
			return nil, err
		}
	}
	return &out, nil
}
