package registries

import (
	"context"
	"sync"
)

// DefaultConcurrency is how many registries, or requests, a command that
// reaches many registries works on at once unless told otherwise.
const DefaultConcurrency = 16

// CheckAll checks every client, limit at a time (DefaultConcurrency when
// limit < 1), and returns the checks in the clients' order. Each client's
// idle connections are closed once it is checked, so that checking
// thousands of integrations keeps at most limit sockets open.
func CheckAll(ctx context.Context, clients []*Client, limit int) []Check {
	if limit < 1 {
		limit = DefaultConcurrency
	}
	checks := make([]Check, len(clients))
	slots := make(chan struct{}, limit)
	var wg sync.WaitGroup
	for i, c := range clients {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			for j := i; j < len(clients); j++ {
				checks[j] = Check{Integration: clients[j].Integration, Err: context.Cause(ctx)}
			}
			wg.Wait()
			return checks
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			checks[i] = c.Check(ctx)
			c.CloseIdleConnections()
		}()
	}
	wg.Wait()
	return checks
}

// CloseIdleConnections closes the connections the client's transport
// keeps open for reuse: for a command that is done with this registry.
func (c *Client) CloseIdleConnections() {
	t, err := c.Transport()
	if err != nil {
		return
	}
	if ci, ok := t.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
}
