package registries

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
)

// ErrPlainHTTP is what errors.Is finds in the Error of a plain-HTTP
// request that hoist refused to send.
var ErrPlainHTTP = errors.New("refusing plain HTTP")

// plainHTTP is the cause of a refused plain-HTTP request.
type plainHTTP struct {
	path, hint string
}

func (p *plainHTTP) Error() string {
	why := "the registry did not answer over HTTPS"
	if p.path != "/v2/" {
		why = "the registry sent hoist to an http:// address"
	}
	return ErrPlainHTTP.Error() + ": " + why + "; " + p.hint
}

func (p *plainHTTP) Is(target error) bool { return target == ErrPlainHTTP }

// explainPlain reports a refused plain-HTTP request (refused, an *Error
// inside err): as the refusal, or as what went wrong over HTTPS when that
// says more.
func explainPlain(refused *Error, err error) error {
	var oerr *net.OpError
	var cerr *tls.CertificateVerificationError
	switch {
	case errors.As(err, &oerr) && oerr.Op == "dial":
		return &Error{Registry: refused.Registry, Temporary: true, Err: &unreachable{oerr}}
	case errors.As(err, &cerr):
		return &Error{Registry: refused.Registry, Err: fmt.Errorf("%w (set ca_file to the CA that signed the registry's certificate)", cerr)}
	}
	return refused
}
