package commands

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/hoist-build/hoist/pkg/errs"
	"github.com/hoist-build/hoist/pkg/images"
	"github.com/hoist-build/hoist/pkg/registries"
)

func newImagesServeCmd() *cobra.Command {
	var listen string
	var ttl time.Duration
	var regs, files []string
	var ro RegistriesOptions
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the image view as JSON (/api/images) and one web page, read-only",
		Example: `  hoist images serve
  hoist images serve --listen 127.0.0.1:9000 --ttl 1m -f codefresh.yml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if ttl <= 0 {
				return errs.Input("--ttl %s: must be positive", ttl)
			}
			if err := ro.Validate(); err != nil {
				return err
			}
			cfg, err := ro.Load(cmd.Context())
			if err != nil {
				return err
			}
			known, err := pipelineImages(cmd.Context(), cfg, files)
			if err != nil {
				return err
			}
			ln, err := net.Listen("tcp", listen)
			if err != nil {
				return errs.Input("--listen %s: %v", listen, err)
			}
			h := images.NewServer(registries.NewAccount(cfg, ""), images.ServeOptions{TTL: ttl, Options: images.Options{Registries: regs, Images: known}})
			srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
			fmt.Fprintf(cmd.ErrOrStderr(), "serving the image view on http://%s/ (API: /api/images)\n", ln.Addr())
			if a, ok := ln.Addr().(*net.TCPAddr); ok && !a.IP.IsLoopback() {
				fmt.Fprintf(cmd.ErrOrStderr(), "hoist: warning: --listen %s is not loopback: anyone who reaches it sees every image the registries' credentials can list\n", listen)
			}
			done := make(chan error, 1)
			go func() { done <- srv.Serve(ln) }()
			select {
			case err := <-done:
				return err
			case <-cmd.Context().Done():
				shut, cancel := contextWithTimeout(5 * time.Second)
				defer cancel()
				if err := srv.Shutdown(shut); err != nil && !errors.Is(err, http.ErrServerClosed) {
					return err
				}
				return nil
			}
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&listen, "listen", "127.0.0.1:8080", "address to serve on (loopback by default)")
	env(fs, "listen", "HOIST_IMAGES_LISTEN")
	fs.DurationVar(&ttl, "ttl", 30*time.Second, "how long a listing is served before the registries are read again")
	env(fs, "ttl", "HOIST_IMAGES_TTL")
	fs.StringArrayVar(&regs, "registry", nil, "list only this registry integration (repeatable)")
	env(fs, "registry", "HOIST_IMAGES_REGISTRY")
	fs.StringArrayVarP(&files, "file", "f", nil, "pipeline whose build and push steps' images to look for (repeatable)")
	env(fs, "file", "HOIST_IMAGES_PIPELINE")
	ro.AddFlags(cmd)
	return cmd
}

func contextWithTimeout(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), d)
}
