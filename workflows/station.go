package workflows

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/stationflow/stationflow/activities"
	"github.com/stationflow/stationflow/internal/codes"
	"github.com/stationflow/stationflow/internal/forms"
)

// a names activity methods for the workflow code; its value is never used.
var a *activities.Activities

// Station phases.
const (
	PhaseAwaitingOperator = "awaiting_operator"
	PhaseOperating        = "operating"
)

// SubmitApplicationUpdate hands a stored application to its station for review.
const SubmitApplicationUpdate = "submit_application"

// Application states, as the review process moves them.
const (
	AppUnderReview        = "under_review"
	AppAmendmentRequested = "amendment_requested"
	AppApproved           = "approved"
	AppRejected           = "rejected"
	AppClosed             = "closed"
)

// StationInput starts (or continues) a station's lifecycle. State is empty
// on the first run and carried across continue-as-new.
type StationInput struct {
	StationID  string       `json:"station_id"`
	Level      string       `json:"level"`
	RegionCode string       `json:"region_code"`
	State      StationState `json:"state"`
}

// StationState is everything the lifecycle carries from one run to the next.
type StationState struct {
	Phase      string `json:"phase"`
	OperatorID string `json:"operator_id,omitempty"`
	ContractID string `json:"contract_id,omitempty"`
	// Version counts the changes the workflow has projected; the read model
	// uses it to ignore repeated or late writes.
	Version int64 `json:"version"`
	// Term is the running contract's term; NextQuarter is the index of its
	// next quarter to open for supervision.
	Term        *Term `json:"term,omitempty"`
	NextQuarter int   `json:"next_quarter,omitempty"`
}

// Term is a contract term. Anchor is the workflow time it began, which a
// demo time scale counts its quarters from.
type Term struct {
	Start  time.Time `json:"start"`
	End    time.Time `json:"end"`
	Anchor time.Time `json:"anchor"`
}

// StationStatus answers StatusQuery.
type StationStatus struct {
	StationID    string   `json:"station_id"`
	Level        string   `json:"level"`
	RegionCode   string   `json:"region_code"`
	Phase        string   `json:"phase"`
	OperatorID   string   `json:"operator_id,omitempty"`
	ContractID   string   `json:"contract_id,omitempty"`
	Version      int64    `json:"version"`
	Applications []string `json:"applications_in_review"`
}

// ApplicationSubmission names an application stored in PostgreSQL.
type ApplicationSubmission struct {
	ApplicationID    string `json:"application_id"`
	OrganisationID   string `json:"organisation_id"`
	OrganisationCode string `json:"organisation_code"`
}

// SubmissionAccepted answers SubmitApplicationUpdate.
type SubmissionAccepted struct {
	ApplicationID string `json:"application_id"`
	ReviewTaskID  string `json:"review_task_id"`
	State         string `json:"state"`
}

// StationWorkflow is one station's lifecycle: it waits for an operator,
// reviews every application that arrives (competing ones side by side),
// starts the contract of the one approved, and continues as new to keep its
// history small.
func StationWorkflow(ctx workflow.Context, in StationInput) error {
	s := &stationRun{in: in, state: in.State, reviews: map[string]*review{}}
	if err := s.setup(ctx); err != nil {
		return err
	}
	return s.run(ctx)
}

type stationRun struct {
	in      StationInput
	state   StationState
	reviews map[string]*review // applications in review, by ID
	order   []string           // review IDs in arrival order, for deterministic iteration
	failure error              // an error a review or supervision process could not handle
	opening bool               // a quarter's supervision is being started
	restart bool               // a renewal or an exit changed the term: continue as new
}

// review is one application's way through review and amendment.
type review struct {
	sub     ApplicationSubmission
	round   int
	version int64
	cancel  workflow.CancelFunc
	closing string // why the review was withdrawn
}

func (s *stationRun) setup(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, StatusQuery, func() (StationStatus, error) {
		return StationStatus{StationID: s.in.StationID, Level: s.in.Level, RegionCode: s.in.RegionCode,
			Phase: s.state.Phase, OperatorID: s.state.OperatorID, ContractID: s.state.ContractID,
			Version: s.state.Version, Applications: append([]string{}, s.order...)}, nil
	}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, activities.RenewUpdate, s.renew,
		workflow.UpdateHandlerOptions{Validator: s.validateChange}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, activities.ExitUpdate, s.exit,
		workflow.UpdateHandlerOptions{Validator: s.validateChange}); err != nil {
		return err
	}
	return workflow.SetUpdateHandlerWithOptions(ctx, SubmitApplicationUpdate, s.submit,
		workflow.UpdateHandlerOptions{Validator: s.validateSubmit})
}

// validateChange accepts a renewal or an exit for the contract the station
// runs under, or for the contract a renewal already moved it to (a retry).
func (s *stationRun) validateChange(c activities.StationChange) error {
	if s.state.Phase != PhaseOperating || s.state.Term == nil {
		return reject(RejectWrongState, "the station is %s, not operating under a contract", s.state.Phase)
	}
	if c.ContractID == "" {
		return reject(RejectInvalid, "contract_id is required")
	}
	return nil
}

// renew starts the next term under a new contract: the supervision
// schedule runs on into it, and the station continues as new so its
// history stays small. A renewal to the contract already running changes
// nothing.
func (s *stationRun) renew(ctx workflow.Context, c activities.StationChange) error {
	if c.ContractID == s.state.ContractID {
		return nil
	}
	s.state.ContractID = c.ContractID
	if c.End.After(s.state.Term.End) {
		s.state.Term.End = c.End
	}
	s.state.Version++
	s.restart = true
	actx := workflow.WithActivityOptions(ctx, projectionOptions)
	return workflow.ExecuteActivity(actx, a.ProjectStation, activities.StationProjection{StationID: s.in.StationID,
		Phase: s.state.Phase, OperatorID: s.state.OperatorID, Version: s.state.Version, Reason: "renewed: " + c.Reason,
		WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID}).Get(ctx, nil)
}

// exit ends the operator's contract: the station awaits a new operator and
// the next application starts its lifecycle again. Quarters not yet opened
// are not opened.
func (s *stationRun) exit(ctx workflow.Context, c activities.StationChange) error {
	if c.ContractID != s.state.ContractID {
		return reject(RejectWrongState, "the station runs under contract %s, not %s", s.state.ContractID, c.ContractID)
	}
	s.state.OperatorID, s.state.ContractID, s.state.Term, s.state.NextQuarter = "", "", nil, 0
	s.restart = true
	if err := workflow.UpsertTypedSearchAttributes(ctx, OrgCodeKey.ValueUnset()); err != nil {
		return err
	}
	return s.enter(ctx, PhaseAwaitingOperator, "the operator exits: "+c.Reason)
}

func (s *stationRun) run(ctx workflow.Context) error {
	if s.state.Phase == "" {
		if err := s.enter(ctx, PhaseAwaitingOperator, "station created"); err != nil {
			return err
		}
	}
	if s.state.Phase == PhaseOperating && s.state.Term != nil {
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

func (s *stationRun) validateSubmit(sub ApplicationSubmission) error {
	if s.state.Phase != PhaseAwaitingOperator {
		return reject(RejectWrongState, "the station is %s, not open for applications", s.state.Phase)
	}
	if _, ok := s.reviews[sub.ApplicationID]; ok {
		return reject(RejectWrongState, "application %s is in review already", sub.ApplicationID)
	}
	if _, err := uuid.Parse(sub.ApplicationID); err != nil {
		return reject(RejectInvalid, "application_id is not an ID")
	}
	return nil
}

// submit starts the application's review and answers with its task's ID.
func (s *stationRun) submit(ctx workflow.Context, sub ApplicationSubmission) (SubmissionAccepted, error) {
	rv := &review{sub: sub, round: 1}
	s.reviews[sub.ApplicationID] = rv
	s.order = append(s.order, sub.ApplicationID)
	rctx, cancel := workflow.WithCancel(ctx)
	rv.cancel = cancel
	workflow.Go(rctx, func(gctx workflow.Context) {
		defer s.forget(sub.ApplicationID)
		if err := s.reviewApplication(gctx, rv); err != nil && !temporal.IsCanceledError(err) {
			s.failure = err
		}
	})
	return SubmissionAccepted{ApplicationID: sub.ApplicationID, ReviewTaskID: reviewTaskID(sub.ApplicationID, 1), State: AppUnderReview}, nil
}

func (s *stationRun) forget(applicationID string) {
	delete(s.reviews, applicationID)
	for i, id := range s.order {
		if id == applicationID {
			s.order = append(s.order[:i], s.order[i+1:]...)
			break
		}
	}
}

// reviewApplication runs review rounds until the office approves or
// rejects, or another application wins the station.
func (s *stationRun) reviewApplication(ctx workflow.Context, rv *review) error {
	appID := rv.sub.ApplicationID
	for {
		taskID := reviewTaskID(appID, rv.round)
		if err := s.projectApplication(ctx, rv, AppUnderReview, taskID, "", ""); err != nil {
			return err
		}
		res, err := s.runTask(ctx, TaskInput{TaskID: taskID, Kind: KindApplicationReview, SubjectID: appID,
			Assignee: Assignee{Kind: AssignOffice, ID: codes.OfficeRegion(s.in.RegionCode)}}, fmt.Sprintf("%s-r%d", appID, rv.round))
		if err != nil {
			return s.closeIfWithdrawn(ctx, rv, err)
		}
		var d forms.ReviewDecision
		if err := json.Unmarshal(res.Form, &d); err != nil {
			return err
		}
		switch d.Decision {
		case forms.DecisionReject:
			return s.projectApplication(ctx, rv, AppRejected, "", d.Reasons, "")
		case forms.DecisionApprove:
			return s.approve(ctx, rv, d)
		}
		// Returned for amendment: the organisation files the plan again.
		if err := s.projectApplication(ctx, rv, AppAmendmentRequested, "", d.Reasons, ""); err != nil {
			return err
		}
		amended, err := s.runTask(ctx, TaskInput{TaskID: amendTaskID(appID, rv.round), Kind: KindApplicationAmendment,
			SubjectID: appID, Assignee: Assignee{Kind: AssignOrg, ID: rv.sub.OrganisationID}}, fmt.Sprintf("%s-r%d", appID, rv.round))
		if err != nil {
			return s.closeIfWithdrawn(ctx, rv, err)
		}
		rv.round++
		actx := workflow.WithActivityOptions(ctx, projectionOptions)
		if err := workflow.ExecuteActivity(actx, a.AmendApplication, activities.Amendment{ApplicationID: appID, Round: rv.round,
			Form: amended.Form, Actor: amended.CompletedBy}).Get(ctx, nil); err != nil {
			return err
		}
	}
}

// approve starts the contract, hands the station to the organisation and
// closes every competing application.
func (s *stationRun) approve(ctx workflow.Context, rv *review, d forms.ReviewDecision) error {
	if s.state.Phase != PhaseAwaitingOperator {
		return s.projectApplication(ctx, rv, AppClosed, "", "another application was approved first", "")
	}
	start, end, err := s.term(ctx, d.Term)
	if err != nil {
		return err
	}
	contractID := uuid.NewSHA1(idSpace, []byte("contract/"+rv.sub.ApplicationID)).String()
	wid := workflow.GetInfo(ctx).WorkflowExecution.ID
	actx := workflow.WithActivityOptions(ctx, projectionOptions)
	if err := workflow.ExecuteActivity(actx, a.StartContract, activities.ContractRequest{ContractID: contractID,
		ApplicationID: rv.sub.ApplicationID, Start: start, End: end, WorkflowID: wid}).Get(ctx, nil); err != nil {
		return err
	}
	s.state.OperatorID = rv.sub.OrganisationID
	s.state.ContractID = contractID
	if rv.sub.OrganisationCode != "" {
		if err := workflow.UpsertTypedSearchAttributes(ctx, OrgCodeKey.ValueSet(rv.sub.OrganisationCode)); err != nil {
			return err
		}
	}
	if err := s.enter(ctx, PhaseOperating, "application "+rv.sub.ApplicationID+" approved"); err != nil {
		return err
	}
	// Stations approved before quarterly supervision existed carry on
	// without a schedule, so their recorded histories replay unchanged.
	if workflow.GetVersion(ctx, "quarterly-supervision", workflow.DefaultVersion, 1) == 1 {
		s.state.Term = &Term{Start: start, End: end, Anchor: workflow.Now(ctx)}
		s.state.NextQuarter = 0
		workflow.Go(ctx, s.supervise)
	}
	for _, id := range s.order {
		if other := s.reviews[id]; other != rv {
			other.closing = "another application was approved"
			other.cancel()
		}
	}
	return s.projectApplication(ctx, rv, AppApproved, "", d.Reasons, contractID)
}

// term is the approved term: as given, or one year from the next working day.
func (s *stationRun) term(ctx workflow.Context, t *forms.Term) (time.Time, time.Time, error) {
	if t != nil {
		start, err1 := time.Parse(time.DateOnly, t.Start)
		end, err2 := time.Parse(time.DateOnly, t.End)
		return start, end, errors.Join(err1, err2)
	}
	var next time.Time
	lctx := workflow.WithLocalActivityOptions(ctx, localOptions)
	if err := workflow.ExecuteLocalActivity(lctx, a.AddWorkdays, activities.WorkdaysRequest{From: workflow.Now(ctx), Workdays: 1}).Get(ctx, &next); err != nil {
		return time.Time{}, time.Time{}, err
	}
	start := time.Date(next.Year(), next.Month(), next.Day(), 0, 0, 0, 0, time.UTC)
	return start, start.AddDate(1, 0, -1), nil
}

// closeIfWithdrawn records why a review ended early when its process was
// cancelled because another application won.
func (s *stationRun) closeIfWithdrawn(ctx workflow.Context, rv *review, err error) error {
	if !temporal.IsCanceledError(err) || rv.closing == "" {
		return err
	}
	dctx, _ := workflow.NewDisconnectedContext(ctx)
	return s.projectApplication(dctx, rv, AppClosed, "", rv.closing, "")
}

// runTask runs a human task at this station and waits for its result.
func (s *stationRun) runTask(ctx workflow.Context, in TaskInput, period string) (TaskResult, error) {
	return runHumanTask(ctx, s.ref(), in, period)
}

func (s *stationRun) ref() StationRef {
	return StationRef{StationID: s.in.StationID, Level: s.in.Level, RegionCode: s.in.RegionCode}
}

// supervise opens each quarter of the term for supervision when the quarter
// ends. Each quarter's supervision is a workflow of its own that outlives
// this run, so the station can continue as new while supervisions and
// rectifications go on.
func (s *stationRun) supervise(ctx workflow.Context) {
	var schedule []activities.ScheduledQuarter
	lctx := workflow.WithLocalActivityOptions(ctx, localOptions)
	if err := workflow.ExecuteLocalActivity(lctx, a.SupervisionSchedule, activities.ScheduleRequest{TermStart: s.state.Term.Start,
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
func (s *stationRun) openSupervision(ctx workflow.Context, q activities.ScheduledQuarter) error {
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID:            SupervisionWorkflowID(s.in.StationID, q.Period),
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_ABANDON,
		TypedSearchAttributes: stationAttributes(s.ref()),
	})
	child := workflow.ExecuteChildWorkflow(cctx, SupervisionWorkflow, SupervisionInput{Station: s.ref(),
		OrganisationID: s.state.OperatorID, ContractID: s.state.ContractID, Period: q.Period, QuarterEnd: q.OpensAt})
	err := child.GetChildWorkflowExecution().Get(ctx, nil)
	var started *temporal.ChildWorkflowExecutionAlreadyStartedError
	if errors.As(err, &started) {
		return nil
	}
	return err
}

func (s *stationRun) projectApplication(ctx workflow.Context, rv *review, state, taskID, reason, contractID string) error {
	rv.version++
	actx := workflow.WithActivityOptions(ctx, projectionOptions)
	return workflow.ExecuteActivity(actx, a.ProjectApplication, activities.ApplicationUpdate{
		ApplicationID: rv.sub.ApplicationID, State: state, Round: rv.round, ReviewTaskID: taskID, Reason: reason,
		ContractID: contractID, Version: rv.version, WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID,
	}).Get(ctx, nil)
}

// idSpace derives the IDs of tasks and contracts from what they are for, so
// the same step always has the same ID.
var idSpace = uuid.MustParse("0f6e2f4e-4b8f-4d67-9a51-5f0c2d3b7a10")

func reviewTaskID(applicationID string, round int) string {
	return uuid.NewSHA1(idSpace, []byte(fmt.Sprintf("review/%s/%d", applicationID, round))).String()
}

func amendTaskID(applicationID string, round int) string {
	return uuid.NewSHA1(idSpace, []byte(fmt.Sprintf("amend/%s/%d", applicationID, round))).String()
}

// enter moves the station to a phase: it records the phase in the search
// attributes and projects it into the read model.
func (s *stationRun) enter(ctx workflow.Context, phase, reason string) error {
	s.state.Phase = phase
	s.state.Version++
	if err := workflow.UpsertTypedSearchAttributes(ctx, PhaseKey.ValueSet(phase)); err != nil {
		return err
	}
	actx := workflow.WithActivityOptions(ctx, projectionOptions)
	return workflow.ExecuteActivity(actx, a.ProjectStation, activities.StationProjection{
		StationID:  s.in.StationID,
		Phase:      phase,
		OperatorID: s.state.OperatorID,
		Version:    s.state.Version,
		Reason:     reason,
		WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID,
	}).Get(ctx, nil)
}

func (s *stationRun) continueAsNew(ctx workflow.Context) error {
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return err
	}
	next := s.in
	next.State = s.state
	return workflow.NewContinueAsNewError(ctx, StationWorkflow, next)
}

// projectionOptions: writing the read model must land eventually, so it
// retries without a limit on attempts; the errors the activity marks as
// non-retryable (a station that does not exist) stop it at once.
var projectionOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 30 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:        time.Second,
		BackoffCoefficient:     2,
		MaximumInterval:        time.Minute,
		NonRetryableErrorTypes: []string{activities.ErrTypeNotFound, activities.ErrTypeInvalid},
	},
}

// StartStation starts a station's lifecycle workflow. Starting one that
// already runs is not an error, so callers may retry freely.
func StartStation(ctx context.Context, c client.Client, taskQueue string, in StationInput) error {
	opts := client.StartWorkflowOptions{
		ID:                       StationWorkflowID(in.StationID),
		TaskQueue:                taskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			StationIDKey.ValueSet(in.StationID),
			RegionCodeKey.ValueSet(in.RegionCode),
			StationLevelKey.ValueSet(in.Level),
			PhaseKey.ValueSet(PhaseAwaitingOperator),
		),
	}
	_, err := c.ExecuteWorkflow(ctx, opts, StationWorkflow, in)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return nil
	}
	return err
}

// SubmitApplication hands a stored application to its station's workflow
// and waits for the review to open. The update's ID is the application's,
// so sending it again does not open a second review.
func SubmitApplication(ctx context.Context, c client.Client, stationID string, sub ApplicationSubmission) (SubmissionAccepted, error) {
	h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: StationWorkflowID(stationID), UpdateName: SubmitApplicationUpdate, UpdateID: "application/" + sub.ApplicationID,
		Args: []any{sub}, WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return SubmissionAccepted{}, err
	}
	var out SubmissionAccepted
	return out, h.Get(ctx, &out)
}
