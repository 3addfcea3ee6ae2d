package pipeline

import (
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
