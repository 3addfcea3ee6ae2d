package registries

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestPushChecksShareAndKeepSuccess(t *testing.T) {
	var p pushChecks
	var calls atomic.Int32
	release := make(chan struct{})
	check := func() error { calls.Add(1); <-release; return nil }
	var wg sync.WaitGroup
	errs := make([]error, 5)
	for i := range errs {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = p.do(context.Background(), "host/repo", check) }()
	}
	time.Sleep(50 * time.Millisecond) // every caller waits on the one check
	close(release)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("caller %d: do = %v, want nil", i, err)
		}
	}
	if err := p.do(context.Background(), "host/repo", check); err != nil {
		t.Errorf("do after a success = %v, want nil", err)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("check ran %d times for one repository, want 1", n)
	}
	if err := p.do(context.Background(), "host/other", check); err != nil || calls.Load() != 2 {
		t.Errorf("another repository: do = %v after %d checks, want nil after 2", err, calls.Load())
	}
}

func TestPushChecksForgetFailure(t *testing.T) {
	var p pushChecks
	denied := errors.New("denied")
	if err := p.do(context.Background(), "host/repo", func() error { return denied }); !errors.Is(err, denied) {
		t.Fatalf("do = %v, want %v", err, denied)
	}
	if err := p.do(context.Background(), "host/repo", func() error { return nil }); err != nil {
		t.Errorf("do after a failure = %v, want a new check's nil", err)
	}
}

func TestPushChecksCallerCancels(t *testing.T) {
	var p pushChecks
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	block := make(chan struct{})
	defer close(block)
	if err := p.do(ctx, "host/repo", func() error { <-block; return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("do with an ended context = %v, want %v", err, context.Canceled)
	}
}
