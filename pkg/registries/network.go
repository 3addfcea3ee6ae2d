package registries

import (
	"context"
	"errors"
	"io"
	"math"
	"net"
	"syscall"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Network says how long hoist waits on registries and how often it tries
// again. NewAccount starts from DefaultNetwork.
type Network struct {
	// Retries is how many times a request that failed in a transient way
	// (5xx, 429, a reset, a stall) is tried again; 0 tries once.
	Retries int
	// MaxWait caps each wait before another try: the backoff, and the
	// time a registry asks for in Retry-After.
	MaxWait time.Duration
	// Stall is how long a request may move no bytes (while sending, while
	// waiting for the answer, or while receiving) before it is given up as
	// a transient failure.
	Stall time.Duration
}

// The defaults: six tries in all, backoff from 250 ms doubling to 4 s; a
// registry may ask for up to a minute between tries (Docker Hub and GHCR
// ask for 10 to 60 s when they rate-limit); and 30 s without a byte is a
// dead connection, however slow the link: a registry that is merely slow
// still moves some bytes every few seconds.
const (
	DefaultRetries = 5
	DefaultMaxWait = 60 * time.Second
	DefaultStall   = 30 * time.Second
)

// DefaultNetwork returns the defaults.
func DefaultNetwork() Network {
	return Network{Retries: DefaultRetries, MaxWait: DefaultMaxWait, Stall: DefaultStall}
}

// withDefaults fills in what is unset (a zero MaxWait or Stall; negative
// Retries).
func (n Network) withDefaults() Network {
	d := DefaultNetwork()
	if n.Retries < 0 {
		n.Retries = d.Retries
	}
	if n.MaxWait <= 0 {
		n.MaxWait = d.MaxWait
	}
	if n.Stall <= 0 {
		n.Stall = d.Stall
	}
	return n
}

// firstWait is the backoff before the first retry.
const firstWait = 250 * time.Millisecond

// backoffJitter is the random share added to each wait.
const backoffJitter = 0.1

// Backoff returns go-containerregistry's backoff for n: Retries+1 tries,
// waiting 250 ms, then twice as long each time, or less than twice when
// that would wait longer than MaxWait, jitter included. (The backoff's own
// Cap is not used: reaching it ends the retries.)
func (n Network) Backoff() remote.Backoff {
	n = n.withDefaults()
	limit := time.Duration(float64(n.MaxWait) / (1 + backoffJitter))
	b := remote.Backoff{Duration: firstWait, Factor: 2, Jitter: backoffJitter, Steps: n.Retries + 1}
	switch {
	case b.Duration >= limit:
		b.Duration, b.Factor = limit, 1
	case n.Retries > 1:
		steps := float64(n.Retries - 1)
		if last := float64(b.Duration) * math.Pow(2, steps); last > float64(limit) {
			b.Factor = math.Pow(float64(limit)/float64(b.Duration), 1/steps)
		}
	}
	return b
}

// Options returns go-containerregistry's retry options for n: its backoff
// and Retryable.
func (n Network) Options() []remote.Option {
	return []remote.Option{remote.WithRetryBackoff(n.Backoff()), remote.WithRetryPredicate(Retryable)}
}

// Retryable reports whether trying again may help: a 5xx or 429 answer, a
// reset, a connection closed early, a stall. It is go-containerregistry's
// own rule, but it looks through wrapped errors too, so a stalled source
// read inside a failed upload is retried as well. A cancellation, a
// deadline and a refused plain-HTTP request are final.
func Retryable(err error) bool {
	switch {
	case err == nil, errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded), errors.Is(err, ErrPlainHTTP):
		return false
	case errors.Is(err, ErrStalled):
		return true
	}
	return temporary(err) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, net.ErrClosed)
}

// temporary reports whether err or any error it wraps says it is
// temporary, as net errors and go-containerregistry's transport.Error do.
func temporary(err error) bool {
	for err != nil {
		if t, ok := err.(interface{ Temporary() bool }); ok && t.Temporary() {
			return true
		}
		switch u := err.(type) {
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				if temporary(e) {
					return true
				}
			}
			return false
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		default:
			return false
		}
	}
	return false
}
