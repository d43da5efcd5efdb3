package usecase

import (
	"context"
	"errors"
	"time"
)

// Every wait on a workflow (an Update's answer, a signal, a start, the
// history an answer watches) runs under one deadline, Cases.WaitTimeout,
// so that a request answers within it however busy or stuck the workflow
// is: when the deadline passes, the use case refuses with KindTimeout,
// which the API answers 504. What was asked may still happen: the Update
// stays with the workflow, so the caller reads the object again to see.

// DefaultWaitTimeout is the deadline when Cases.WaitTimeout is zero.
const DefaultWaitTimeout = 10 * time.Second

// waitTimeout is the deadline for one wait on a workflow.
func (c *Cases) waitTimeout() time.Duration {
	if c.WaitTimeout > 0 {
		return c.WaitTimeout
	}
	return DefaultWaitTimeout
}

// awaitWorkflow runs call under the wait deadline, turning the deadline's
// passing (and not the caller going away) into a KindTimeout refusal.
func (c *Cases) awaitWorkflow(ctx context.Context, call func(context.Context) error) error {
	wait, cancel := context.WithTimeout(ctx, c.waitTimeout())
	defer cancel()
	return c.timedOut(ctx, wait, call(wait))
}

// timedOut turns err into a KindTimeout refusal when wait's deadline
// passed while ctx, the caller's, still runs.
func (c *Cases) timedOut(ctx, wait context.Context, err error) error {
	if err != nil && ctx.Err() == nil && errors.Is(wait.Err(), context.DeadlineExceeded) {
		return refuse(KindTimeout, "the workflow did not answer within "+c.waitTimeout().String()+
			"; what was asked may still be done: read the object again before repeating it")
	}
	return err
}
