package activities

import (
	"context"
	"errors"
	"sync"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"golang.org/x/sync/errgroup"

	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/store"
)

// startConcurrency is how many evaluations one batch starts at once.
const startConcurrency = 16

// StartEvaluations starts the evaluation of each station on the next page
// of a cycle, a bounded number at a time, heartbeating as it goes. Each
// start has the station's deterministic ID and uses the running workflow
// when there is one, so a retried batch starts nothing twice; a station
// whose evaluation already finished is left alone. The cycle's started
// count is advanced as the page completes.
func (a *Activities) StartEvaluations(ctx context.Context, b flow.StartBatch) (flow.BatchStarted, error) {
	if a.Temporal == nil {
		return flow.BatchStarted{}, invalid("the activities have no Temporal client")
	}
	page, err := a.Store.CycleStationsAfter(ctx, b.CycleID, b.After, b.Limit)
	if err != nil {
		return flow.BatchStarted{}, classify(err)
	}
	out := flow.BatchStarted{Last: b.After, Started: b.Started, Done: len(page) < b.Limit}
	if len(page) == 0 {
		return out, nil
	}
	// Every start runs even when one fails, so a retry finds the rest
	// started; the first error fails the batch.
	var g errgroup.Group
	g.SetLimit(startConcurrency)
	var mu sync.Mutex
	for _, cs := range page {
		g.Go(func() error {
			err := a.startEvaluation(ctx, b, cs)
			mu.Lock()
			defer mu.Unlock()
			activity.RecordHeartbeat(ctx, cs.StationID.String())
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return out, err
	}
	out.Last = page[len(page)-1].StationID
	out.Started += len(page)
	state := flow.CycleStarting
	if out.Done {
		state = flow.CycleRunning
	}
	if err := a.Store.SetCycleState(ctx, b.CycleID, state, out.Started, workflowActor(b.CycleWorkflowID)); err != nil {
		return out, classify(err)
	}
	return out, nil
}

func (a *Activities) startEvaluation(ctx context.Context, b flow.StartBatch, cs store.CycleStation) error {
	in := flow.EvaluationStart{CycleID: b.CycleID, CycleWorkflowID: b.CycleWorkflowID, Settings: b.Settings,
		StationID: cs.StationID, Level: cs.Level, RegionCode: cs.RegionCode}
	if cs.OrganisationID != nil {
		in.OrganisationID = *cs.OrganisationID
	}
	if cs.ContractID != nil {
		in.ContractID = *cs.ContractID
	}
	_, err := a.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       flow.EvaluationWorkflowID(b.CycleID.String(), in.StationID.String()),
		TaskQueue:                a.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	}, flow.EvaluationWorkflowType, in)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return nil // it ran to its end already
	}
	return err
}

// SetCycleState records a cycle's state; repeating it changes nothing.
func (a *Activities) SetCycleState(ctx context.Context, c flow.CycleStateChange) error {
	return classify(a.Store.SetCycleState(ctx, c.CycleID, c.State, c.Started, workflowActor(c.WorkflowID)))
}

// CycleRemaining counts a cycle's stations that have not finished.
func (a *Activities) CycleRemaining(ctx context.Context, cycleID uuid.UUID) (int, error) {
	c, err := a.Store.GetCycle(ctx, cycleID)
	if err != nil {
		return 0, classify(err)
	}
	finished := c.Counts[store.EvalDone] + c.Counts[store.EvalFailed] + c.Counts[store.EvalCancelled]
	return c.Stations - finished, nil
}

// CancelEvaluations marks the next page of a cycle's unfinished stations
// cancelled and asks their evaluations to stop. It returns how many it
// found: none means the cycle is fully stopped. An evaluation that has
// already ended is not an error.
func (a *Activities) CancelEvaluations(ctx context.Context, b flow.CancelBatch) (int, error) {
	if a.Temporal == nil {
		return 0, invalid("the activities have no Temporal client")
	}
	ids, err := a.Store.UnfinishedCycleStations(ctx, b.CycleID, b.Limit)
	if err != nil {
		return 0, classify(err)
	}
	// Stop the workflows first, then mark the stations: a retry after a
	// crash in between finds them again.
	for _, id := range ids {
		err := a.Temporal.CancelWorkflow(ctx, flow.EvaluationWorkflowID(b.CycleID.String(), id.String()), "")
		var notFound *serviceerror.NotFound
		if err != nil && !errors.As(err, &notFound) {
			return 0, err
		}
		activity.RecordHeartbeat(ctx, id.String())
	}
	return len(ids), classify(a.Store.CancelCycleStations(ctx, b.CycleID, ids))
}
