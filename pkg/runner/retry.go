package runner

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hoist-build/hoist/pkg/errs"
)

// withRetry runs a step under its timeout, and again after a failure as
// its retry: block allows, waiting delay, then delay times the factor, and
// so on. A user mistake is never retried.
func withRetry(ctx context.Context, sp *StepPlan, ex Exec, run func(context.Context) error) error {
	attempts, delay, factor := 1, time.Duration(0), 1.0
	if sp.Retry != nil {
		attempts, delay, factor = sp.Retry.MaxAttempts, sp.Retry.Delay, sp.Retry.ExponentialFactor
	}
	for i := 1; ; i++ {
		actx, cancel := ctx, context.CancelFunc(func() {})
		if sp.Timeout > 0 {
			actx, cancel = context.WithTimeout(ctx, sp.Timeout)
		}
		err := run(actx)
		if err != nil && ctx.Err() == nil && errors.Is(actx.Err(), context.DeadlineExceeded) {
			err = fmt.Errorf("timed out after %s", sp.Timeout)
		}
		cancel()
		if err == nil || i >= attempts || ctx.Err() != nil || errors.Is(err, errs.ErrInput) {
			return err
		}
		why := strings.Join(strings.Fields(err.Error()), " ")
		fmt.Fprintf(ex.Out, "  attempt %d of %d failed: %s; trying again in %s\n", i, attempts, why, delay)
		task := ex.Progress.Task(fmt.Sprintf("retrying step %s: attempt %d of %d in %s", sp.Name, i+1, attempts, delay))
		task.Log("attempt %d failed: %s", i, why)
		task.Done(nil)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(delay):
		}
		delay = time.Duration(float64(delay) * factor)
	}
}
