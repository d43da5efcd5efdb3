package usecase

import (
	"context"
	"errors"

	"go.temporal.io/api/serviceerror"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/store"
)

// Projection failures (投影失败): a workflow whose write of the read model
// failed for good records it and waits for a retry instead of failing its
// step (see workflows.runProjection). The office of the region sees them
// and asks for the retry once the cause is mended; admins see all,
// including those of workflows with no region.

// ProjectionFailures lists the open failures of an office's region (or of
// region, a part of it); an admin's of region, everywhere when empty. The
// face has checked that region is a region code.
func (c *Cases) ProjectionFailures(ctx context.Context, who Caller, region string) ([]store.ProjectionFailure, error) {
	if err := AllowRoles(who, auth.RoleOffice, auth.RoleAdmin); err != nil {
		return nil, err
	}
	if who.Role != auth.RoleAdmin {
		if region == "" {
			region = who.Scope
		} else if err := inOfficeScope(who, "region_code", region); err != nil {
			return nil, err
		}
	}
	return c.Store.OpenProjectionFailures(ctx, region)
}

// RetryProjection signals the failed projection's workflow to try it
// again and marks the failure retried; a failure retried already is a
// conflict, and one whose workflow no longer runs too.
func (c *Cases) RetryProjection(ctx context.Context, who Caller, id string) (store.ProjectionFailure, error) {
	if err := AllowRoles(who, auth.RoleOffice, auth.RoleAdmin); err != nil {
		return store.ProjectionFailure{}, err
	}
	f, err := loadID(ctx, "projection failure", id, c.Store.GetProjectionFailure, func(_ context.Context, f store.ProjectionFailure) (bool, error) {
		return who.Role == auth.RoleAdmin || (f.RegionCode != "" && auth.InRegion(who.Scope, f.RegionCode)), nil
	})
	if err != nil {
		return f, err
	}
	if f.RetriedAt != nil {
		return f, conflict("a retry was asked for already")
	}
	err = c.awaitWorkflow(ctx, func(ctx context.Context) error {
		err := c.Temporal.SignalWorkflow(ctx, f.WorkflowID, f.RunID, flow.RetryProjectionSignal, nil)
		if errors.As(err, new(*serviceerror.NotFound)) {
			return conflict("the failed projection's workflow no longer runs")
		}
		return err
	})
	if err != nil {
		return f, err
	}
	if err := c.Store.MarkProjectionRetried(ctx, f.ID, who.Actor()); err != nil {
		return f, err
	}
	return c.Store.GetProjectionFailure(ctx, f.ID)
}
