package workflows

import (
	"fmt"

	"github.com/google/uuid"
	"go.temporal.io/sdk/workflow"

	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/forms"
)

func init() {
	registerForm(flow.KindRectification, plainCheck(forms.CheckRectificationResponse))
	registerForm(flow.KindRectificationCheck, plainCheck(forms.CheckRectificationVerification))
}

// RectificationWorkflow is one rectification item (整改): the operating
// organisation responds with evidence by a due date, the supervisor who
// found the failure verifies the response or reopens the item, and the
// rounds go on until it is verified. Overdue responses and verifications
// escalate like any human task.
func RectificationWorkflow(ctx workflow.Context, in flow.RectificationInput) error {
	r := &rectificationRun{in: in, item: flow.RectificationItem{ID: in.ItemID, StationID: in.Station.StationID,
		OrganisationID: in.OrganisationID, RegionCode: in.Station.RegionCode, ScorecardID: in.ScorecardID, Period: in.Period,
		Indicator: in.Indicator.ID, IndicatorName: in.Indicator.Name, Critical: in.Indicator.Critical, Points: in.Indicator.Points,
		MaxPoints: in.Indicator.MaxPoints, VerifierKind: in.Verifier.Kind, VerifierID: in.Verifier.ID, Round: 1}}
	event, reason := "opened", fmt.Sprintf("indicator %s scored %g of %d", in.Indicator.ID, in.Indicator.Points, in.Indicator.MaxPoints)
	for {
		if err := r.respond(ctx, event, reason); err != nil {
			return err
		}
		v, verifiedBy, err := r.verify(ctx)
		if err != nil {
			return err
		}
		r.item.VerificationComment = v.Comment
		if *v.Accepted {
			r.item.State, r.item.TaskID = flow.RectificationVerified, uuid.Nil
			return r.project(ctx, "verified", verifiedBy, v.Comment)
		}
		r.item.Round++
		event, reason = "reopened", v.Comment
	}
}

type rectificationRun struct {
	in   flow.RectificationInput
	item flow.RectificationItem
}

// respond opens the round's response task for the organisation and
// records the response with its evidence.
func (r *rectificationRun) respond(ctx workflow.Context, event, reason string) error {
	respondID := derivedID("rectify/%s/%d", r.in.ItemID, r.item.Round)
	r.item.State, r.item.TaskID = flow.RectificationOpen, respondID
	if err := r.project(ctx, event, "system", reason); err != nil {
		return err
	}
	res, err := runHumanTask(ctx, r.in.Station, flow.TaskInput{TaskID: respondID, Kind: flow.KindRectification, SubjectID: r.in.ItemID,
		Period: r.in.Period, Assignee: flow.Assignee{Kind: flow.AssignOrg, ID: r.in.OrganisationID.String()}}, r.period("respond"))
	if err != nil {
		return err
	}
	resp, err := decodeForm[forms.RectificationResponse](res, "the response")
	if err != nil {
		return err
	}
	evidence := make([]uuid.UUID, 0, len(resp.EvidenceIDs))
	for _, s := range resp.EvidenceIDs {
		id, err := uuid.Parse(s)
		if err != nil {
			return unreadable("the response's evidence", err)
		}
		evidence = append(evidence, id)
	}
	r.item.State, r.item.TaskID = flow.RectificationResponded, derivedID("verify/%s/%d", r.in.ItemID, r.item.Round)
	r.item.Response, r.item.EvidenceIDs = resp.Response, evidence
	return r.project(ctx, "responded", res.CompletedBy, "")
}

// verify opens the round's verification task for the supervisor.
func (r *rectificationRun) verify(ctx workflow.Context) (forms.RectificationVerification, string, error) {
	res, err := runHumanTask(ctx, r.in.Station, flow.TaskInput{TaskID: r.item.TaskID, Kind: flow.KindRectificationCheck,
		SubjectID: r.in.ItemID, Period: r.in.Period, Assignee: r.in.Verifier}, r.period("verify"))
	if err != nil {
		return forms.RectificationVerification{}, "", err
	}
	v, err := decodeForm[forms.RectificationVerification](res, "the verification")
	if err == nil && v.Accepted == nil {
		err = unreadable("the verification", nil)
	}
	return v, res.CompletedBy, err
}

// period names a round's task: <quarter>-<indicator>-<step>-r<round>.
func (r *rectificationRun) period(step string) string {
	return fmt.Sprintf("%s-%s-%s-r%d", r.in.Period, r.in.Indicator.ID, step, r.item.Round)
}

func (r *rectificationRun) project(ctx workflow.Context, event, actor, reason string) error {
	r.item.Version++
	return project(ctx, flow.ProjectRectificationActivity, flow.RectificationProjection{Item: r.item, Event: event,
		Actor: actor, Reason: reason, WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID})
}
