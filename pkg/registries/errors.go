package registries

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// ErrAuth is what errors.Is finds in an Error whose registry refused the
// credentials (HTTP 401) or the access (HTTP 403).
var ErrAuth = errors.New("authentication failed")

// ErrUnreachable is what errors.Is finds in an Error whose registry could
// not be reached at all.
var ErrUnreachable = errors.New("not reachable")

// Error is a registry's refusal or failure, naming the integration. It
// keeps the HTTP status and says whether trying again makes sense, as
// go-containerregistry's transport.Error does, and it never holds a
// credential.
type Error struct {
	// Registry names the integration, as Integration.String does; the
	// registry's host when no integration holds it.
	Registry string
	// Status is the HTTP status the registry answered; 0 when none.
	Status int
	// Temporary reports whether the same request may succeed later (5xx,
	// 429, a reset or a timeout).
	Temporary bool
	// Err is the cause.
	Err error
	// Login is the integration's login path when its config fixes one
	// (see Integration.LoginPath).
	Login string
	// Scope is the token scope a registry's token lacked
	// (repository:NAME:ACTION), when the registry refused a request that
	// carried a token from its auth server.
	Scope string
}

// Error reads "registry NAME: " then Reason.
func (e *Error) Error() string { return "registry " + e.Registry + ": " + e.Reason() }

// Reason says what happened, without naming the registry.
func (e *Error) Reason() string {
	var what string
	switch {
	case e.Scope != "":
		repo, action := scopeParts(e.Scope)
		what = fmt.Sprintf("%s: the account may not %s %s: the auth server's token lacks scope %s", ErrAuth.Error(), action, repo, e.Scope)
	case e.Status == http.StatusUnauthorized && e.Login != "" && e.Login != LoginStatic:
		what = ErrAuth.Error() + ": the registry refused the token of the " + e.Login + " login (expired, or for another registry)"
	case e.Status == http.StatusUnauthorized:
		what = ErrAuth.Error() + ": the registry refused the username or password"
	case e.Status == http.StatusForbidden:
		what = ErrAuth.Error() + ": the credentials may not push here"
	case e.Status != 0:
		what = fmt.Sprintf("HTTP %d from the registry", e.Status)
	case errors.Is(e.Err, ErrUnreachable):
		what = e.Err.Error()
	default:
		what = oneLine(e.Err)
	}
	return what
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports ErrAuth for a 401 or 403.
func (e *Error) Is(target error) bool {
	return target == ErrAuth && (e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden)
}

// Explain turns an error from a registry request into an *Error naming
// integration i ("(unknown)" when i is nil). nil stays nil; an *Error and
// a cancellation pass unchanged, but a refused plain-HTTP request is
// reported alone: go-containerregistry tries HTTPS and plain HTTP side by
// side, and of the two failures the refusal says what to do, unless
// nothing answered at all or the HTTPS certificate was not trusted.
func Explain(i *Integration, err error) error {
	if err == nil || errors.Is(err, context.Canceled) {
		return err
	}
	var e *Error
	if errors.As(err, &e) {
		if errors.Is(e, ErrPlainHTTP) {
			return explainPlain(e, err)
		}
		return err
	}
	e = &Error{Registry: "(unknown)", Err: err}
	if i != nil {
		e.Registry, e.Login = i.String(), i.login
	}
	var terr *transport.Error
	var serr *stallError
	var nerr net.Error
	var oerr *net.OpError
	switch {
	case errors.As(err, &terr):
		e.Status, e.Temporary = terr.StatusCode, terr.Temporary()
		e.Scope = missingScope(terr)
	case errors.As(err, &serr):
		e.Err, e.Temporary = serr, true
	case errors.As(err, &oerr) || errors.As(err, &nerr):
		e.Err, e.Temporary = &unreachable{err}, true
	}
	return e
}

// unreachable says that no answer came, keeping the cause.
type unreachable struct{ err error }

func (u *unreachable) Error() string        { return ErrUnreachable.Error() + ": " + oneLine(u.err) }
func (u *unreachable) Unwrap() error        { return u.err }
func (u *unreachable) Is(target error) bool { return target == ErrUnreachable }

// UnknownError is a registry name that no integration has. It is the one
// "unknown registry" error: every place that looks a name up returns it.
type UnknownError struct {
	Name  string
	Known []string
}

// Error reads `unknown registry "NAME" (known: a, b)`.
func (e *UnknownError) Error() string {
	known := "none are configured"
	if len(e.Known) > 0 {
		known = strings.Join(e.Known, ", ")
	}
	return fmt.Sprintf("unknown registry %q (known: %s)", e.Name, known)
}

// Lookup returns the integration called name, or an *UnknownError listing
// the names there are.
func (c *Config) Lookup(name string) (*Integration, error) {
	if i, ok := c.Get(name); ok {
		return i, nil
	}
	return nil, &UnknownError{Name: name, Known: c.Names()}
}

func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}
