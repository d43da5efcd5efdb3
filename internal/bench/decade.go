package bench

import (
	"context"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/google/uuid"

	"github.com/stationflow/stationflow/activities"
	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/store"
	"github.com/stationflow/stationflow/workflows"
)

// DecadeResult is one station's ten simulated years.
type DecadeResult struct {
	Years    int
	Runs     int   // runs of the station's workflow (each renewal continues as new)
	Largest  int64 // events in its largest run's history
	Total    int64 // events over all its runs
	Quarters int   // quarters opened for supervision
}

// Decade runs one station of the province through years one-year terms on
// a worker whose quarters are short (the caller's Activities set that),
// renewing the operator at the end of each year as a cycle's decision
// would, and measures the station workflow's history over every run.
func Decade(ctx context.Context, c client.Client, st *store.Store, acts *activities.Activities, taskQueue string, s Station, years int) (DecadeResult, error) {
	res := DecadeResult{Years: years}
	wid := flow.StationWorkflowID(s.ID.String())
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: wid, TaskQueue: taskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL}, workflows.StationWorkflow, flow.StationInput{
		StationID: s.ID, Level: s.Level, RegionCode: s.RegionCode, State: flow.StationState{Phase: flow.PhaseOperating,
			OperatorID: s.OrganisationID, ContractID: s.ContractID, Version: 2,
			Term: &flow.Term{Start: s.TermStart, End: s.TermEnd, Anchor: time.Now()}}})
	if err != nil {
		return res, err
	}
	contract, end := s.ContractID, s.TermEnd
	for y := 1; y < years; y++ {
		// The year's four quarters open; then the operator is renewed.
		if _, err := waitQuarters(ctx, st, s.ID, 4*y); err != nil {
			return res, err
		}
		next := id("contract", fmt.Sprintf("%s/%d", s.RegionCode, y))
		start := end.AddDate(0, 0, 1)
		end = start.AddDate(1, 0, -1)
		if err := acts.ApplyRenewal(ctx, flow.Renewal{StationWorkflowID: wid, StationID: s.ID, OldContractID: contract,
			NewContractID: next, Start: start, End: end, Reason: fmt.Sprintf("year %d", y+1),
			UpdateID: fmt.Sprintf("decade/%d", y), WorkflowID: "bench"}); err != nil {
			return res, fmt.Errorf("renewing for year %d: %w", y+1, err)
		}
		contract = next
	}
	if res.Quarters, err = waitQuarters(ctx, st, s.ID, 4*years); err != nil {
		return res, err
	}
	// Walk the chain of runs from the first.
	runID := run.GetRunID()
	for runID != "" {
		it := c.GetWorkflowHistory(ctx, wid, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		var n int64
		next := ""
		for it.HasNext() {
			e, err := it.Next()
			if err != nil {
				return res, err
			}
			n++
			if a := e.GetWorkflowExecutionContinuedAsNewEventAttributes(); a != nil {
				next = a.GetNewExecutionRunId()
			}
		}
		res.Runs++
		res.Total += n
		res.Largest = max(res.Largest, n)
		runID = next
	}
	return res, nil
}

// waitQuarters waits until at least n quarters have been opened at the
// station and returns how many have.
func waitQuarters(ctx context.Context, st *store.Store, stationID uuid.UUID, n int) (int, error) {
	for {
		opened, err := st.CountSupervisionQuarters(ctx, stationID)
		if err != nil || opened >= n {
			return opened, err
		}
		select {
		case <-ctx.Done():
			return opened, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}
