package images

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
)

// TestListConcurrency: listing 20 registries of 5 repositories with 4 tags
// each keeps at most Concurrency requests in flight in all (16 by
// default), not per registry or per repository, and finds every image.
func TestListConcurrency(t *testing.T) {
	t.Parallel()
	for _, limit := range []int{0, 3} {
		t.Run(fmt.Sprint(limit), func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			var inFlight, most int
			count := func(next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					mu.Lock()
					inFlight++
					most = max(most, inFlight)
					mu.Unlock()
					defer func() {
						mu.Lock()
						inFlight--
						mu.Unlock()
					}()
					time.Sleep(time.Millisecond)
					next.ServeHTTP(w, r)
				})
			}
			host := serve(t, count)
			img := labelled(t, time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC), nil)
			for r := range 5 {
				push(t, img, authn.Anonymous, fmt.Sprintf("%s/repo%d:a", host, r), fmt.Sprintf("%s/repo%d:b", host, r),
					fmt.Sprintf("%s/repo%d:c", host, r), fmt.Sprintf("%s/repo%d:d", host, r))
			}
			mu.Lock()
			most = 0
			mu.Unlock()
			var b strings.Builder
			b.WriteString("registries:\n")
			for i := range 20 {
				fmt.Fprintf(&b, "  - name: r%02d\n    domain: %s\n    insecure: true\n", i, host)
			}
			l, err := List(t.Context(), account(t, b.String()), Options{Concurrency: limit})
			if err != nil {
				t.Fatalf("List() error = %v", err)
			}
			if len(l.Images) != 5 || len(l.Warnings) != 0 {
				t.Fatalf("List() = %d images, warnings %q; want 5 and none", len(l.Images), l.Warnings)
			}
			for _, im := range l.Images {
				if len(im.Locations) != 20 || len(im.Tags()) != 4 {
					t.Errorf("%s: %d locations, tags %v; want 20 and a, b, c, d", im.Name, len(im.Locations), im.Tags())
				}
			}
			want := limit
			if want == 0 {
				want = 16
			}
			mu.Lock()
			defer mu.Unlock()
			if most > want {
				t.Errorf("%d requests were in flight at once, want at most %d", most, want)
			}
		})
	}
}
