//go:build !linux

package build

import (
	"context"
	"errors"
	"io"

	"github.com/moby/buildkit/client"

	"github.com/hoist-build/hoist/pkg/registries"
)

// daemon is a buildkitd that hoist started; only Linux runs one.
type daemon struct{ addr string }

func startDaemon(context.Context, *registries.Config, io.Writer) (*daemon, *client.Client, error) {
	return nil, nil, errors.New("hoist starts a local buildkitd on Linux only: give --builder or $BUILDKIT_HOST")
}

func (d *daemon) stop() error { return nil }

// Abort does nothing: only Linux starts a local daemon.
func Abort() {}
