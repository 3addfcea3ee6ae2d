package pipeline

import (
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// buildFields are the keys a build step may have, as Codefresh's validator
// knows them. Keys hoist does not act on yet are accepted and ignored.
var buildFields = map[string]bool{
	"type": true, "title": true, "description": true, "stage": true,
	"working_directory": true, "dockerfile": true, "image_name": true,
	"tag": true, "tags": true, "tag_policy": true, "registry": true,
	"registry_contexts": true, "disable_push": true, "no_cache": true,
	"no_cf_cache": true, "build_arguments": true, "target": true,
	"platform": true, "buildx": true, "buildkit": true, "cache_from": true,
	"cache_to": true, "metadata": true, "annotations": true, "secrets": true,
	"ssh": true, "progress": true, "when": true, "fail_fast": true,
	"strict_fail_fast": true, "retry": true, "timeout": true, "arguments": true, "scale": true,
	"hooks": true, "on_success": true, "on_fail": true, "on_finish": true,
	// Fields Codefresh's validator knows on a build step (ECR and signing).
	"cosign": true, "region": true, "role_arn": true, "aws_session_name": true,
	"aws_duration_seconds": true, "provider": true, "squash": true,
}

// notActedOn says, for each build step field hoist accepts but does not
// act on, why: the file loads, and a warning names the field and its line.
var notActedOn = map[string]string{
	"registry_contexts":    "hoist logs in to every integration itself; registry_contexts is not used",
	"buildkit":             "hoist always builds with BuildKit",
	"progress":             "use --progress (or $HOIST_PROGRESS): the display is one for the whole run",
	"strict_fail_fast":     "not acted on: fail_fast decides whether the pipeline goes on",
	"hooks":                "step hooks are not run by hoist",
	"cosign":               "hoist does not sign images: sign the pushed digest with cosign afterwards",
	"region":               "the ECR login comes from the registry integration (provider: ecr, region in the registries file)",
	"role_arn":             "the ECR login comes from the registry integration (role_arn in the registries file)",
	"aws_session_name":     "the ECR login comes from the registry integration in the registries file",
	"aws_duration_seconds": "the ECR login comes from the registry integration in the registries file",
	"provider":             "the registry integration's provider applies",
	"squash":               "BuildKit does not squash layers: the image keeps its layers",
}

// legacyNames maps Codefresh's older hyphenated field names to today's.
var legacyNames = map[string]string{
	"image-name":        "image_name",
	"working-directory": "working_directory",
	"build-arguments":   "build_arguments",
	"tag-policy":        "tag_policy",
	"fail-fast":         "fail_fast",
}

func (l *loader) buildStep(ps []pair, path string) (*BuildStep, *When, error) {
	b := &BuildStep{Lines: map[string]int{}}
	var when *When
	var imageNode, platform, buildxKey, buildx *yaml.Node
	err := l.fields(ps, path, buildFields, b.Lines, func(k string, key, v *yaml.Node, field string) error {
		var err error
		switch k {
		case "image_name":
			imageNode = key
			b.ImageName, err = l.imageName(v, field)
		case "working_directory":
			b.WorkingDirectory, err = l.scalar(v, field)
		case "dockerfile":
			err = l.dockerfile(b, v, field)
		case "tag":
			b.Tag, err = l.scalar(v, field)
		case "tags":
			b.Tags, err = l.strings(v, field)
		case "tag_policy":
			b.TagPolicy, err = l.scalar(v, field)
			if err == nil && b.TagPolicy != "lowercase" && b.TagPolicy != "original" {
				err = l.errf(v, field, "must be lowercase or original, got %q", b.TagPolicy)
			}
		case "registry":
			b.Registry, err = l.scalar(v, field)
		case "disable_push":
			b.DisablePush, err = l.boolean(v, field)
		case "no_cache":
			b.NoCache, err = l.boolean(v, field)
		case "no_cf_cache":
			b.NoCFCache, err = l.boolean(v, field)
		case "build_arguments":
			b.BuildArguments, err = l.keyValues(v, field)
		case "target":
			b.Target, err = l.scalar(v, field)
		case "platform":
			// As Codefresh's validator: a string (a comma list), not a
			// number or a list.
			if v.Kind == yaml.ScalarNode && v.Tag != "!!str" && v.Tag != "!!null" {
				return l.errf(v, field, "must be a string such as linux/amd64,linux/arm64, got %s", kindName(v))
			}
			platform = v
			b.Platform, err = l.scalar(v, field)
		case "metadata":
			b.Metadata, err = l.metadata(v, field)
		case "cache_from":
			b.CacheFrom, err = l.caches(v, field, false)
		case "cache_to":
			b.CacheTo, err = l.caches(v, field, true)
		case "annotations":
			if b.EntityAnnotations, err = l.annotations(v, field); err == nil {
				l.annotationsNotice(key, field, b.EntityAnnotations)
			}
		case "secrets":
			b.Secrets, err = l.secrets(v, field)
		case "ssh":
			b.SSH, err = l.ssh(v, field)
		case "when":
			when, err = l.when(v, field)
		case "buildx":
			// buildx: true is how hoist builds anyway; builder settings
			// (a driver, a node) are buildx's, not BuildKit's.
			buildxKey, buildx = key, v
			on, ok := buildxOn(v)
			switch {
			case !ok:
				// As Codefresh's validator.
				return l.errf(v, field, "must be a boolean or a mapping, got %s", kindName(v))
			case v.Kind == yaml.MappingNode:
				l.warn(key, field, "hoist talks to BuildKit directly: buildx's builder settings do not apply (use --builder)")
			case !on:
				l.warn(key, field, "hoist always builds with BuildKit (buildx: false is Codefresh's classic builder)")
			}
		case "cosign":
			err = l.cosign(key, v, field)
		default:
			if why, ok := notActedOn[k]; ok {
				l.warn(key, field, why)
			}
		}
		return err
	})
	if perr := l.checkPlatform(platform, buildxKey, buildx, path); perr != nil {
		err = newProblems(append(Problems(err), perr))
	}
	if err != nil {
		return nil, nil, err
	}
	if imageNode == nil || strings.TrimSpace(b.ImageName) == "" {
		var at *yaml.Node
		if imageNode != nil {
			at = imageNode
		} else if len(ps) > 0 {
			at = ps[0].key
		}
		return nil, nil, l.errf(at, path+".image_name", "required for a build step")
	}
	return b, when, nil
}

func (l *loader) dockerfile(b *BuildStep, v *yaml.Node, field string) error {
	if v.Kind == yaml.ScalarNode {
		b.Dockerfile = v.Value
		return nil
	}
	ps, err := pairs(v)
	if err != nil {
		return l.errf(v, field, "must be a path or a mapping with content, got %s", kindName(v))
	}
	for _, kv := range ps {
		if kv.key.Value != "content" {
			return l.errf(kv.key, field+"."+kv.key.Value, "unknown field (dockerfile takes a path or content:)")
		}
		if b.DockerfileContent, err = l.scalar(kv.value, field+".content"); err != nil {
			return err
		}
	}
	if b.DockerfileContent == "" {
		return l.errf(v, field+".content", "must hold the Dockerfile's text")
	}
	return nil
}

func (l *loader) scalar(v *yaml.Node, field string) (string, error) {
	if v.Kind != yaml.ScalarNode {
		return "", l.errf(v, field, "must be a string, got %s", kindName(v))
	}
	if v.Tag == "!!null" {
		return "", nil
	}
	if what := nonText(v); what != "" {
		return "", l.notText(v, field, what)
	}
	return v.Value, nil
}

func (l *loader) boolean(v *yaml.Node, field string) (bool, error) {
	if v.Kind == yaml.ScalarNode {
		switch strings.ToLower(v.Value) {
		case "true":
			return true, nil
		case "false", "":
			return false, nil
		}
	}
	return false, l.errf(v, field, "must be true or false, got %s", kindName(v))
}

func (l *loader) strings(v *yaml.Node, field string) ([]string, error) {
	if v.Kind == yaml.ScalarNode && v.Tag != "!!null" {
		s, err := l.scalar(v, field)
		return []string{s}, err
	}
	if v.Kind == yaml.ScalarNode {
		return nil, nil
	}
	if v.Kind != yaml.SequenceNode {
		return nil, l.errf(v, field, "must be a list of strings, got %s", kindName(v))
	}
	var out []string
	var problems []error
	for _, item := range v.Content {
		item = resolve(item)
		if item.Kind != yaml.ScalarNode {
			return nil, l.errf(item, field, "must be a list of strings, an entry is %s", kindName(item))
		}
		if what := nonText(item); what != "" {
			problems = append(problems, l.notText(item, field, what))
		}
		out = append(out, item.Value)
	}
	if len(problems) > 0 {
		return nil, newProblems(problems)
	}
	return out, nil
}

// keyValues reads a list of KEY=VALUE strings or a mapping, as Codefresh's
// build_arguments allows both.
func (l *loader) keyValues(v *yaml.Node, field string) ([]string, error) {
	if v.Kind == yaml.MappingNode {
		ps, err := pairs(v)
		if err != nil {
			return nil, l.errf(v, field, "%v", err)
		}
		var out []string
		for _, kv := range ps {
			if kv.value.Kind != yaml.ScalarNode {
				return nil, l.errf(kv.value, field+"."+kv.key.Value, "must be a string, got %s", kindName(kv.value))
			}
			out = append(out, kv.key.Value+"="+kv.value.Value)
		}
		return out, nil
	}
	list, err := l.strings(v, field)
	if err != nil {
		return nil, err
	}
	for i, s := range list {
		if !strings.Contains(s, "=") {
			return nil, l.errf(resolveAt(v, i), field, "entry %q must be KEY=VALUE", s)
		}
	}
	return list, nil
}

// metadata reads metadata: {set: [...]}, whose entries are single-key
// mappings (- key: value) or KEY=VALUE strings.
func (l *loader) metadata(v *yaml.Node, field string) ([]string, error) {
	ps, err := pairs(v)
	if err != nil {
		return nil, l.errf(v, field, "must be a mapping with set:")
	}
	var out []string
	for _, kv := range ps {
		if kv.key.Value != "set" {
			return nil, l.errf(kv.key, field+"."+kv.key.Value, "unknown field (metadata takes set:)")
		}
		list := kv.value
		if list.Kind != yaml.SequenceNode {
			return nil, l.errf(list, field+".set", "must be a list, got %s", kindName(list))
		}
		for _, item := range list.Content {
			item = resolve(item)
			switch item.Kind {
			case yaml.ScalarNode:
				if !strings.Contains(item.Value, "=") {
					return nil, l.errf(item, field+".set", "entry %q must be key: value or KEY=VALUE", item.Value)
				}
				out = append(out, item.Value)
			case yaml.MappingNode:
				entries, err := pairs(item)
				if err != nil {
					return nil, l.errf(item, field+".set", "%v", err)
				}
				for _, e := range entries {
					if e.value.Kind != yaml.ScalarNode {
						return nil, l.errf(e.value, field+".set."+e.key.Value, "must be a string, got %s", kindName(e.value))
					}
					out = append(out, e.key.Value+"="+e.value.Value)
				}
			default:
				return nil, l.errf(item, field+".set", "entries must be key: value, got %s", kindName(item))
			}
		}
	}
	return out, nil
}

// suggest returns " (did you mean X?)" for the known name closest to k.
func suggest(k string, known map[string]bool) string {
	best, bestD := "", 3
	names := make([]string, 0, len(known))
	for n := range known {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if d := distance(k, n); d < bestD {
			best, bestD = n, d
		}
	}
	if best == "" {
		return ""
	}
	return " (did you mean " + best + "?)"
}

// distance is the Levenshtein distance of a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// fields walks the keys of a step in file order: legacy names are renamed,
// keys not in known are refused with a suggestion, and fields nested under
// arguments: are walked as if written at the top. lines records each key's
// line; fn handles each known key.
func (l *loader) fields(ps []pair, path string, known map[string]bool, lines map[string]int, fn func(k string, key, v *yaml.Node, field string) error) error {
	// Every field's problem is reported, not only the first's.
	var problems []error
	for _, kv := range ps {
		k, v := kv.key.Value, kv.value
		if n, ok := legacyNames[k]; ok {
			k = n
		}
		field := path + "." + k
		if !known[k] {
			problems = append(problems, l.errf(kv.key, path+"."+kv.key.Value, "unknown field%s", suggest(k, known)))
			continue
		}
		lines[k] = kv.key.Line
		if k == "arguments" {
			inner, err := pairs(v)
			if err != nil {
				problems = append(problems, l.errf(v, field, "must be a mapping of step fields"))
				continue
			}
			problems = append(problems, Problems(l.fields(inner, path, known, lines, fn))...)
			continue
		}
		problems = append(problems, Problems(fn(k, kv.key, v, field))...)
	}
	if len(problems) > 0 {
		return newProblems(problems)
	}
	return nil
}
