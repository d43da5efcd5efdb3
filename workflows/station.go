package workflows

import (
	"context"
	"errors"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/stationflow/stationflow/internal/flow"
)

// StationWorkflow is one station's lifecycle: it waits for an operator,
// reviews every application that arrives (competing ones side by side),
// starts the contract of the one approved, and continues as new to keep its
// history small.
func StationWorkflow(ctx workflow.Context, in flow.StationInput) error {
	s := &stationRun{in: in, state: in.State, reviews: map[uuid.UUID]*review{}}
	if err := s.setup(ctx); err != nil {
		return err
	}
	return s.run(ctx)
}

type stationRun struct {
	in      flow.StationInput
	state   flow.StationState
	reviews map[uuid.UUID]*review // applications in review, by ID
	order   []uuid.UUID           // review IDs in arrival order, for deterministic iteration
	failure error                 // an error a review or supervision process could not handle
	opening bool                  // a quarter's supervision is being started
	restart bool                  // a renewal or an exit changed the term: continue as new
}

func (s *stationRun) setup(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, flow.StatusQuery, func() (flow.StationStatus, error) {
		return flow.StationStatus{StationID: s.in.StationID, Level: s.in.Level, RegionCode: s.in.RegionCode,
			Phase: s.state.Phase, OperatorID: s.state.OperatorID, ContractID: s.state.ContractID,
			Version: s.state.Version, Applications: append([]uuid.UUID{}, s.order...)}, nil
	}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, flow.RenewUpdate, s.renew,
		workflow.UpdateHandlerOptions{Validator: s.validateChange}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, flow.ExitUpdate, s.exit,
		workflow.UpdateHandlerOptions{Validator: s.validateChange}); err != nil {
		return err
	}
	return workflow.SetUpdateHandlerWithOptions(ctx, flow.SubmitApplicationUpdate, s.submit,
		workflow.UpdateHandlerOptions{Validator: s.validateSubmit})
}

func (s *stationRun) run(ctx workflow.Context) error {
	if s.state.Phase == "" {
		if err := s.enter(ctx, flow.PhaseAwaitingOperator, "station created"); err != nil {
			return err
		}
	}
	if s.state.Phase == flow.PhaseOperating && s.state.Term != nil {
		workflow.Go(ctx, s.supervise)
	}
	err := workflow.Await(ctx, func() bool {
		return s.failure != nil || (len(s.reviews) == 0 && !s.opening && (s.restart || workflow.GetInfo(ctx).GetContinueAsNewSuggested()))
	})
	if err != nil {
		return err
	}
	if s.failure != nil {
		return s.failure
	}
	return s.continueAsNew(ctx)
}

// runTask runs a human task at this station and waits for its result.
func (s *stationRun) runTask(ctx workflow.Context, in flow.TaskInput, period string) (flow.TaskResult, error) {
	return runHumanTask(ctx, s.ref(), in, period)
}

func (s *stationRun) ref() flow.StationRef {
	return flow.StationRef{StationID: s.in.StationID, Level: s.in.Level, RegionCode: s.in.RegionCode}
}

// supervise opens each quarter of the term for supervision when the quarter
// ends. Each quarter's supervision is a workflow of its own that outlives
// this run, so the station can continue as new while supervisions and
// rectifications go on.
func (s *stationRun) supervise(ctx workflow.Context) {
	var schedule []flow.ScheduledQuarter
	lctx := workflow.WithLocalActivityOptions(ctx, localOptions)
	if err := workflow.ExecuteLocalActivity(lctx, flow.SupervisionScheduleActivity, flow.ScheduleRequest{TermStart: s.state.Term.Start,
		TermEnd: s.state.Term.End, Anchor: s.state.Term.Anchor}).Get(ctx, &schedule); err != nil {
		s.failure = err
		return
	}
	for s.state.Term != nil && s.state.NextQuarter < len(schedule) {
		q := schedule[s.state.NextQuarter]
		if wait := q.OpensAt.Sub(workflow.Now(ctx)); wait > 0 {
			if err := workflow.Sleep(ctx, wait); err != nil {
				return // the station's run is ending
			}
		}
		if s.restart { // the term changed: the next run opens its quarters
			return
		}
		s.opening = true
		err := s.openSupervision(ctx, q)
		s.opening = false
		if err != nil {
			s.failure = err
			return
		}
		s.state.NextQuarter++
	}
}

// openSupervision starts a quarter's supervision and waits only until it
// runs. A supervision that already exists (the same quarter opened by an
// earlier run) is left as it is.
func (s *stationRun) openSupervision(ctx workflow.Context, q flow.ScheduledQuarter) error {
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID:            flow.SupervisionWorkflowID(s.in.StationID.String(), q.Period),
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_ABANDON,
		TypedSearchAttributes: stationAttributes(s.ref()),
	})
	child := workflow.ExecuteChildWorkflow(cctx, SupervisionWorkflow, flow.SupervisionInput{Station: s.ref(),
		OrganisationID: s.state.OperatorID, ContractID: s.state.ContractID, Period: q.Period, QuarterEnd: q.OpensAt})
	err := child.GetChildWorkflowExecution().Get(ctx, nil)
	var started *temporal.ChildWorkflowExecutionAlreadyStartedError
	if errors.As(err, &started) {
		return nil
	}
	return err
}

// enter moves the station to a phase: it records the phase in the search
// attributes and projects it into the read model.
func (s *stationRun) enter(ctx workflow.Context, phase, reason string) error {
	s.state.Phase = phase
	s.state.Version++
	if err := workflow.UpsertTypedSearchAttributes(ctx, flow.PhaseKey.ValueSet(phase)); err != nil {
		return err
	}
	return project(ctx, flow.ProjectStationActivity, flow.StationProjection{
		StationID:  s.in.StationID,
		Phase:      phase,
		OperatorID: s.state.OperatorID,
		Version:    s.state.Version,
		Reason:     reason,
		WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID,
	})
}

func (s *stationRun) continueAsNew(ctx workflow.Context) error {
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return err
	}
	next := s.in
	next.State = s.state
	return workflow.NewContinueAsNewError(ctx, StationWorkflow, next)
}

// StartStation starts a station's lifecycle workflow. Starting one that
// already runs is not an error, so callers may retry freely.
func StartStation(ctx context.Context, c client.Client, taskQueue string, in flow.StationInput) error {
	opts := client.StartWorkflowOptions{
		ID:                       flow.StationWorkflowID(in.StationID.String()),
		TaskQueue:                taskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			flow.StationIDKey.ValueSet(in.StationID.String()),
			flow.RegionCodeKey.ValueSet(in.RegionCode),
			flow.StationLevelKey.ValueSet(in.Level),
			flow.PhaseKey.ValueSet(flow.PhaseAwaitingOperator),
		),
	}
	_, err := c.ExecuteWorkflow(ctx, opts, StationWorkflow, in)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return nil
	}
	return err
}
