// Command ociregistry serves go-containerregistry's registry (in memory,
// no auth, with the OCI referrers API) on one address: the third registry
// implementation hoist's end-to-end tests run against.
package main

import (
	"flag"
	"io"
	"log"
	"net/http"
	"os"

	"github.com/google/go-containerregistry/pkg/registry"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:5000", "address to listen on")
	flag.Parse()
	h := registry.New(registry.Logger(log.New(io.Discard, "", 0)), registry.WithReferrersSupport(true))
	if err := http.ListenAndServe(*addr, h); err != nil {
		log.Print(err)
		os.Exit(1)
	}
}
