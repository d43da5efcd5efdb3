package workflows

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/stationflow/stationflow/internal/codes"
	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/forms"
)

// Application review: a station reviews every application that arrives,
// competing ones side by side; the office approves, rejects or returns
// one for amendment, and the first approval starts the contract and
// closes the others.

func init() {
	registerForm(flow.KindApplicationReview, plainCheck(forms.CheckReviewDecision))
	registerForm(flow.KindApplicationAmendment, func(in flow.TaskInput, raw json.RawMessage) forms.Errors {
		return checkDecoded(raw, func(app forms.Application) forms.Errors {
			return forms.CheckApplication(app, codes.StationLevel(in.StationLevel))
		})
	})
}

// review is one application's way through review and amendment.
type review struct {
	sub     flow.ApplicationSubmission
	round   int
	version int64
	cancel  workflow.CancelFunc
	closing string // why the review was withdrawn
}

func (s *stationRun) validateSubmit(sub flow.ApplicationSubmission) error {
	if s.state.Phase != flow.PhaseAwaitingOperator {
		return reject(flow.RejectWrongState, "the station is %s, not open for applications", s.state.Phase)
	}
	if _, ok := s.reviews[sub.ApplicationID]; ok {
		return reject(flow.RejectWrongState, "application %s is in review already", sub.ApplicationID)
	}
	if sub.ApplicationID == uuid.Nil {
		return reject(flow.RejectInvalid, "application_id is not an ID")
	}
	return nil
}

// submit starts the application's review and answers with its task's ID.
func (s *stationRun) submit(ctx workflow.Context, sub flow.ApplicationSubmission) (flow.SubmissionAccepted, error) {
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
	return flow.SubmissionAccepted{ApplicationID: sub.ApplicationID, ReviewTaskID: reviewTaskID(sub.ApplicationID, 1), State: flow.AppUnderReview}, nil
}

func (s *stationRun) forget(applicationID uuid.UUID) {
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
		if err := s.projectApplication(ctx, rv, flow.AppUnderReview, taskID, "", uuid.Nil); err != nil {
			return err
		}
		res, err := s.runTask(ctx, flow.TaskInput{TaskID: taskID, Kind: flow.KindApplicationReview, SubjectID: appID,
			Assignee: flow.Assignee{Kind: flow.AssignOffice, ID: codes.OfficeRegion(s.in.RegionCode)}}, fmt.Sprintf("%s-r%d", appID, rv.round))
		if err != nil {
			return s.closeIfWithdrawn(ctx, rv, err)
		}
		d, err := decodeForm[forms.ReviewDecision](res, "the review decision")
		if err != nil {
			return err
		}
		switch d.Decision {
		case forms.DecisionReject:
			return s.projectApplication(ctx, rv, flow.AppRejected, uuid.Nil, d.Reasons, uuid.Nil)
		case forms.DecisionApprove:
			return s.approve(ctx, rv, d)
		}
		// Returned for amendment: the organisation files the plan again.
		if err := s.projectApplication(ctx, rv, flow.AppAmendmentRequested, uuid.Nil, d.Reasons, uuid.Nil); err != nil {
			return err
		}
		amended, err := s.runTask(ctx, flow.TaskInput{TaskID: amendTaskID(appID, rv.round), Kind: flow.KindApplicationAmendment,
			SubjectID: appID, Assignee: flow.Assignee{Kind: flow.AssignOrg, ID: rv.sub.OrganisationID.String()}}, fmt.Sprintf("%s-r%d", appID, rv.round))
		if err != nil {
			return s.closeIfWithdrawn(ctx, rv, err)
		}
		rv.round++
		if err := project(ctx, flow.AmendApplicationActivity, flow.Amendment{ApplicationID: appID, Round: rv.round,
			Form: amended.Form, Actor: amended.CompletedBy}); err != nil {
			return err
		}
	}
}

// approve starts the contract, hands the station to the organisation and
// closes every competing application.
func (s *stationRun) approve(ctx workflow.Context, rv *review, d forms.ReviewDecision) error {
	if s.state.Phase != flow.PhaseAwaitingOperator {
		return s.projectApplication(ctx, rv, flow.AppClosed, uuid.Nil, "another application was approved first", uuid.Nil)
	}
	start, end, err := s.term(ctx, d.Term)
	if err != nil {
		return err
	}
	contractID := derivedID("contract/%s", rv.sub.ApplicationID)
	wid := workflow.GetInfo(ctx).WorkflowExecution.ID
	if err := project(ctx, flow.StartContractActivity, flow.ContractRequest{ContractID: contractID,
		ApplicationID: rv.sub.ApplicationID, Start: start, End: end, WorkflowID: wid}); err != nil {
		return err
	}
	s.state.OperatorID = rv.sub.OrganisationID
	s.state.ContractID = contractID
	if rv.sub.OrganisationCode != "" {
		if err := workflow.UpsertTypedSearchAttributes(ctx, flow.OrgCodeKey.ValueSet(rv.sub.OrganisationCode)); err != nil {
			return err
		}
	}
	if err := s.enter(ctx, flow.PhaseOperating, "application "+rv.sub.ApplicationID.String()+" approved"); err != nil {
		return err
	}
	// Competing reviews are withdrawn before the supervision version is
	// read: a child's cancel request recorded between the version marker
	// and the next activity does not replay in this SDK (the replayer
	// predicts the activity's ID one event early).
	for _, id := range s.order {
		if other := s.reviews[id]; other != rv {
			other.closing = "another application was approved"
			other.cancel()
		}
	}
	// Stations approved before quarterly supervision existed carry on
	// without a schedule, so their recorded histories replay unchanged.
	if workflow.GetVersion(ctx, "quarterly-supervision", workflow.DefaultVersion, 1) == 1 {
		s.state.Term = &flow.Term{Start: start, End: end, Anchor: workflow.Now(ctx)}
		s.state.NextQuarter = 0
		workflow.Go(ctx, s.supervise)
	}
	return s.projectApplication(ctx, rv, flow.AppApproved, uuid.Nil, d.Reasons, contractID)
}

// term is the approved term: as given, or one year from the next working day.
func (s *stationRun) term(ctx workflow.Context, t *forms.Term) (time.Time, time.Time, error) {
	if t != nil {
		start, err1 := time.Parse(time.DateOnly, t.Start)
		end, err2 := time.Parse(time.DateOnly, t.End)
		return start, end, errors.Join(err1, err2)
	}
	next, err := addWorkdays(ctx, workflow.Now(ctx), 1)
	if err != nil {
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
	return s.projectApplication(dctx, rv, flow.AppClosed, uuid.Nil, rv.closing, uuid.Nil)
}

func (s *stationRun) projectApplication(ctx workflow.Context, rv *review, state string, taskID uuid.UUID, reason string, contractID uuid.UUID) error {
	rv.version++
	return project(ctx, flow.ProjectApplicationActivity, flow.ApplicationUpdate{
		ApplicationID: rv.sub.ApplicationID, State: state, Round: rv.round, ReviewTaskID: taskID, Reason: reason,
		ContractID: contractID, Version: rv.version, WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID,
	})
}

func reviewTaskID(applicationID uuid.UUID, round int) uuid.UUID {
	return derivedID("review/%s/%d", applicationID, round)
}

func amendTaskID(applicationID uuid.UUID, round int) uuid.UUID {
	return derivedID("amend/%s/%d", applicationID, round)
}

// SubmitApplication hands a stored application to its station's workflow
// and waits for the review to open. The update's ID is the application's,
// so sending it again does not open a second review.
func SubmitApplication(ctx context.Context, c client.Client, stationID string, sub flow.ApplicationSubmission) (flow.SubmissionAccepted, error) {
	h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: flow.StationWorkflowID(stationID), UpdateName: flow.SubmitApplicationUpdate, UpdateID: "application/" + sub.ApplicationID.String(),
		Args: []any{sub}, WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return flow.SubmissionAccepted{}, err
	}
	var out flow.SubmissionAccepted
	return out, h.Get(ctx, &out)
}
