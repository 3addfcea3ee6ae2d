package build

import (
	"strings"

	"github.com/moby/buildkit/client"
)

// redacted stands for a secret's value in what hoist shows.
const redacted = "***"

// redactor hides the values of a build's secret-named build arguments
// (SecretArgs) in what BuildKit reports: it names vertices after their
// commands with the arguments expanded ("RUN npm ci --token=..."), and
// its errors quote them.
type redactor struct {
	r *strings.Replacer
}

// newRedactor returns a redactor for the values of buildArgs' (KEY=VALUE)
// secret-named arguments and the values in mask; nil when there is none
// to hide. Values shorter than 4 bytes are left: hiding
// every "1" would garble the display, and such a value is no secret.
func newRedactor(buildArgs, mask []string) *redactor {
	secret := map[string]bool{}
	for _, k := range SecretArgs(buildArgs) {
		secret[k] = true
	}
	var pairs []string
	for _, kv := range buildArgs {
		k, v, _ := strings.Cut(kv, "=")
		if secret[strings.TrimSpace(k)] && len(v) >= 4 {
			pairs = append(pairs, v, redacted)
		}
	}
	for _, v := range mask {
		if len(v) >= 4 {
			pairs = append(pairs, v, redacted)
		}
	}
	if len(pairs) == 0 {
		return nil
	}
	return &redactor{r: strings.NewReplacer(pairs...)}
}

func (r *redactor) str(s string) string { return r.r.Replace(s) }

func (r *redactor) bytes(b []byte) []byte {
	if len(b) == 0 {
		return b
	}
	return []byte(r.r.Replace(string(b)))
}

// status hides the secrets in every text of ss, in place.
func (r *redactor) status(ss *client.SolveStatus) *client.SolveStatus {
	for _, v := range ss.Vertexes {
		v.Name, v.Error = r.str(v.Name), r.str(v.Error)
	}
	for _, s := range ss.Statuses {
		s.ID, s.Name = r.str(s.ID), r.str(s.Name)
	}
	for _, l := range ss.Logs {
		l.Data = r.bytes(l.Data)
	}
	for _, w := range ss.Warnings {
		w.Short = r.bytes(w.Short)
		for i := range w.Detail {
			w.Detail[i] = r.bytes(w.Detail[i])
		}
		if w.SourceInfo != nil {
			w.SourceInfo.Data = r.bytes(w.SourceInfo.Data)
		}
	}
	return ss
}

// forward passes the statuses BuildKit sends on in to out, secrets
// hidden, and closes out when in closes.
func (r *redactor) forward(in <-chan *client.SolveStatus, out chan<- *client.SolveStatus) {
	defer close(out)
	for ss := range in {
		if ss != nil {
			out <- r.status(ss)
		}
	}
}

// err hides the secrets in err's message; errors.Is and As still see the
// cause.
func (r *redactor) err(err error) error {
	if r == nil || err == nil {
		return err
	}
	return &redactedError{msg: r.str(err.Error()), err: err}
}

type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }
