package workflows

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/testsuite"

	"github.com/stationflow/stationflow/activities"
	"github.com/stationflow/stationflow/internal/flow"
)

func TestNewStationWaitsForAnOperatorAndProjectsItsPhase(t *testing.T) {
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	var projected []flow.StationProjection
	env.RegisterActivity(&activities.Activities{})
	env.OnActivity(a.ProjectStation, mock.Anything, mock.Anything).Return(func(_ context.Context, p flow.StationProjection) error {
		projected = append(projected, p)
		return nil
	})

	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(flow.StatusQuery)
		if err != nil {
			t.Fatalf("status query: %v", err)
		}
		var status flow.StationStatus
		if err := v.Get(&status); err != nil {
			t.Fatal(err)
		}
		if status.Phase != flow.PhaseAwaitingOperator || status.StationID != st1 || status.Version != 1 {
			t.Errorf("status = %+v, want awaiting_operator, version 1", status)
		}
		env.CancelWorkflow()
	}, 24*time.Hour)

	env.ExecuteWorkflow(StationWorkflow, flow.StationInput{StationID: st1, Level: "township_station", RegionCode: "510108001"})
	if !env.IsWorkflowCompleted() {
		t.Fatal("workflow did not stop after cancel")
	}
	if len(projected) != 1 || projected[0].Phase != flow.PhaseAwaitingOperator || projected[0].Version != 1 {
		t.Fatalf("projections = %+v, want one awaiting_operator at version 1", projected)
	}
	if projected[0].WorkflowID == "" {
		t.Error("projection does not name the workflow that made it")
	}
}

func TestContinuedStationDoesNotProjectAgain(t *testing.T) {
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	calls := 0
	env.RegisterActivity(&activities.Activities{})
	env.OnActivity(a.ProjectStation, mock.Anything, mock.Anything).Return(func(_ context.Context, p flow.StationProjection) error {
		calls++
		return nil
	})
	env.RegisterDelayedCallback(env.CancelWorkflow, time.Hour)
	env.ExecuteWorkflow(StationWorkflow, flow.StationInput{StationID: st1, Level: "township_station", RegionCode: "510108001",
		State: flow.StationState{Phase: flow.PhaseAwaitingOperator, Version: 1}})
	if calls != 0 {
		t.Fatalf("a continued run projected %d times; its phase was projected by the run before", calls)
	}
}
