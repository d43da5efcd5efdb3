package workflows

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/stationflow/stationflow/activities"
	"github.com/stationflow/stationflow/internal/codes"
	"github.com/stationflow/stationflow/internal/forms"
	"github.com/stationflow/stationflow/internal/rubric"
	"github.com/stationflow/stationflow/internal/store"
)

// StationRef names the station a piece of work belongs to.
type StationRef struct {
	StationID  string `json:"station_id"`
	Level      string `json:"level"`
	RegionCode string `json:"region_code"`
}

// SupervisionInput opens one quarter's supervision of an operating station.
type SupervisionInput struct {
	Station        StationRef `json:"station"`
	OrganisationID string     `json:"organisation_id"`
	ContractID     string     `json:"contract_id"`
	Period         string     `json:"period"`
	// QuarterEnd is the moment the quarter closed; the form's working days
	// are counted from it.
	QuarterEnd time.Time `json:"quarter_end"`
}

// SupervisionOutcome is how a quarter's supervision ended.
type SupervisionOutcome struct {
	Period         string   `json:"period"`
	Missed         bool     `json:"missed"`
	ScorecardID    string   `json:"scorecard_id,omitempty"`
	Total          float64  `json:"total"`
	Passed         bool     `json:"passed"`
	Rectifications []string `json:"rectifications"`
}

// SupervisionWorkflowID is the deterministic ID of a quarter's supervision.
func SupervisionWorkflowID(stationID, period string) string {
	return "supervision/" + stationID + "/" + period
}

// SupervisionWorkflow is one station's supervision for one quarter: it
// assigns the supervisor, opens the scored-form task with the rubric frozen
// into it, issues the scorecard when the form is filed, and opens a
// rectification item for every failed indicator, waiting until each is
// verified. An office may close the task as missed, with a reason.
func SupervisionWorkflow(ctx workflow.Context, in SupervisionInput) (SupervisionOutcome, error) {
	wid := workflow.GetInfo(ctx).WorkflowExecution.ID
	out := SupervisionOutcome{Period: in.Period, Rectifications: []string{}}
	taskID := derivedID("supervision-task/%s/%s", in.Station.StationID, in.Period)
	office := codes.OfficeRegion(in.Station.RegionCode)

	var opened activities.SupervisionOpened
	actx := workflow.WithActivityOptions(ctx, projectionOptions)
	if err := workflow.ExecuteActivity(actx, a.OpenSupervision, activities.SupervisionOpening{
		StationID: in.Station.StationID, RegionCode: in.Station.RegionCode, OfficeRegion: office,
		OrganisationID: in.OrganisationID, ContractID: in.ContractID, Period: in.Period, TaskID: taskID, WorkflowID: wid,
	}).Get(ctx, &opened); err != nil {
		return out, err
	}
	assignee := Assignee{Kind: AssignOffice, ID: office}
	if opened.SupervisorID != "" {
		assignee = Assignee{Kind: AssignPerson, ID: opened.SupervisorID}
	}
	res, err := runHumanTask(ctx, in.Station, TaskInput{TaskID: taskID, Kind: KindSupervision, Assignee: assignee,
		Period: in.Period, Rubric: opened.Rubric, DueFrom: in.QuarterEnd, Closable: true}, in.Period)
	if err != nil {
		return out, err
	}
	if res.Closed {
		out.Missed = true
		return out, workflow.ExecuteActivity(actx, a.MarkSupervisionMissed, activities.MissedSupervision{
			StationID: in.Station.StationID, Period: in.Period, Reason: res.CloseReason, Actor: res.CompletedBy, WorkflowID: wid,
		}).Get(ctx, nil)
	}

	var form rubric.Form
	if err := json.Unmarshal(res.Form, &form); err != nil {
		return out, temporal.NewNonRetryableApplicationError("the filed form cannot be read: "+err.Error(), RejectInvalid, err)
	}
	card, errs := opened.Rubric.Score(form)
	if len(errs) > 0 { // the task's validator checked the same rules
		return out, temporal.NewNonRetryableApplicationError("the filed form breaks the rubric: "+errs.Error(), RejectInvalid, errs)
	}
	doc := activities.ScorecardDocument{StationID: in.Station.StationID, OrganisationID: in.OrganisationID, Kind: KindSupervision,
		Period: in.Period, TaskID: taskID, Scorecard: card, PassMark: opened.Rubric.PassMark, Late: res.Late,
		Scores: form.Scores, Summary: form.Summary, FiledBy: res.CompletedBy, FiledAt: workflow.Now(ctx).UTC()}
	scorecardID := derivedID("scorecard/%s/%s/%s", in.Station.StationID, KindSupervision, in.Period)
	if err := workflow.ExecuteActivity(actx, a.IssueScorecard, activities.ScorecardIssue{ScorecardID: scorecardID,
		RegionCode: in.Station.RegionCode, WorkflowID: wid, Document: doc}).Get(ctx, nil); err != nil {
		return out, err
	}
	out.ScorecardID, out.Total, out.Passed = scorecardID, card.Total, card.Passed

	// One rectification item for each failed indicator, run side by side.
	verifier := assignee
	var pending []workflow.ChildWorkflowFuture
	for _, f := range card.FailedIndicators {
		item := derivedID("rectification/%s/%s", scorecardID, f.ID)
		out.Rectifications = append(out.Rectifications, item)
		cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
			WorkflowID:            RectificationWorkflowID(in.Station.StationID, in.Period, f.ID),
			WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
			ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_REQUEST_CANCEL,
			TypedSearchAttributes: stationAttributes(in.Station),
		})
		pending = append(pending, workflow.ExecuteChildWorkflow(cctx, RectificationWorkflow, RectificationInput{
			ItemID: item, Station: in.Station, OrganisationID: in.OrganisationID, ScorecardID: scorecardID,
			Period: in.Period, Indicator: f, Verifier: verifier,
		}))
	}
	for _, f := range pending {
		if err := f.Get(ctx, nil); err != nil {
			return out, err
		}
	}
	return out, nil
}

// RectificationInput opens a rectification item for a failed indicator.
type RectificationInput struct {
	ItemID         string                 `json:"item_id"`
	Station        StationRef             `json:"station"`
	OrganisationID string                 `json:"organisation_id"`
	ScorecardID    string                 `json:"scorecard_id"`
	Period         string                 `json:"period"`
	Indicator      rubric.FailedIndicator `json:"indicator"`
	Verifier       Assignee               `json:"verifier"`
}

// RectificationWorkflowID is the deterministic ID of a rectification item.
func RectificationWorkflowID(stationID, period, indicator string) string {
	return "rectification/" + stationID + "/" + period + "/" + indicator
}

// RectificationWorkflow is one rectification item (整改): the operating
// organisation responds with evidence by a due date, the supervisor who
// found the failure verifies the response or reopens the item, and the
// rounds go on until it is verified. Overdue responses and verifications
// escalate like any human task.
func RectificationWorkflow(ctx workflow.Context, in RectificationInput) error {
	r := &rectificationRun{in: in}
	org, err := uuid.Parse(in.OrganisationID)
	var orgID *uuid.UUID
	if err == nil {
		orgID = &org
	}
	r.item = store.Rectification{ID: uuid.MustParse(in.ItemID), StationID: uuid.MustParse(in.Station.StationID), OrganisationID: orgID,
		RegionCode: in.Station.RegionCode, ScorecardID: uuid.MustParse(in.ScorecardID), Period: in.Period,
		Indicator: in.Indicator.ID, IndicatorName: in.Indicator.Name, Critical: in.Indicator.Critical, Points: in.Indicator.Points,
		MaxPoints: in.Indicator.MaxPoints, VerifierKind: in.Verifier.Kind, VerifierID: in.Verifier.ID, Round: 1}
	event, reason := "opened", fmt.Sprintf("indicator %s scored %g of %d", in.Indicator.ID, in.Indicator.Points, in.Indicator.MaxPoints)
	for {
		respondID := derivedID("rectify/%s/%d", in.ItemID, r.item.Round)
		r.item.State, r.item.TaskID = store.RectificationOpen, uuidPtr(respondID)
		if err := r.project(ctx, event, "system", reason); err != nil {
			return err
		}
		res, err := runHumanTask(ctx, in.Station, TaskInput{TaskID: respondID, Kind: KindRectification, SubjectID: in.ItemID,
			Period: in.Period, Assignee: Assignee{Kind: AssignOrg, ID: in.OrganisationID}}, r.period("respond"))
		if err != nil {
			return err
		}
		var resp forms.RectificationResponse
		if err := json.Unmarshal(res.Form, &resp); err != nil {
			return temporal.NewNonRetryableApplicationError("the response cannot be read: "+err.Error(), RejectInvalid, err)
		}
		verifyID := derivedID("verify/%s/%d", in.ItemID, r.item.Round)
		r.item.State, r.item.TaskID, r.item.Response = store.RectificationResponded, uuidPtr(verifyID), resp.Response
		r.item.EvidenceIDs = make([]uuid.UUID, 0, len(resp.EvidenceIDs))
		for _, id := range resp.EvidenceIDs {
			r.item.EvidenceIDs = append(r.item.EvidenceIDs, uuid.MustParse(id))
		}
		if err := r.project(ctx, "responded", res.CompletedBy, ""); err != nil {
			return err
		}
		res, err = runHumanTask(ctx, in.Station, TaskInput{TaskID: verifyID, Kind: KindRectificationCheck, SubjectID: in.ItemID,
			Period: in.Period, Assignee: in.Verifier}, r.period("verify"))
		if err != nil {
			return err
		}
		var v forms.RectificationVerification
		if err := json.Unmarshal(res.Form, &v); err != nil || v.Accepted == nil {
			return temporal.NewNonRetryableApplicationError("the verification cannot be read", RejectInvalid, err)
		}
		r.item.VerificationComment = v.Comment
		if *v.Accepted {
			r.item.State, r.item.TaskID = store.RectificationVerified, nil
			return r.project(ctx, "verified", res.CompletedBy, v.Comment)
		}
		r.item.Round++
		event, reason = "reopened", v.Comment
	}
}

type rectificationRun struct {
	in   RectificationInput
	item store.Rectification
}

// period names a round's task: <quarter>-<indicator>-<step>-r<round>.
func (r *rectificationRun) period(step string) string {
	return fmt.Sprintf("%s-%s-%s-r%d", r.in.Period, r.in.Indicator.ID, step, r.item.Round)
}

func (r *rectificationRun) project(ctx workflow.Context, event, actor, reason string) error {
	r.item.Version++
	actx := workflow.WithActivityOptions(ctx, projectionOptions)
	return workflow.ExecuteActivity(actx, a.ProjectRectification, activities.RectificationProjection{Item: r.item, Event: event,
		Actor: actor, Reason: reason, WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID}).Get(ctx, nil)
}

func uuidPtr(s string) *uuid.UUID {
	id := uuid.MustParse(s)
	return &id
}

// derivedID is a stable ID for a step, derived from what the step is for.
func derivedID(format string, args ...any) string {
	return uuid.NewSHA1(idSpace, fmt.Appendf(nil, format, args...)).String()
}

func stationAttributes(st StationRef) temporal.SearchAttributes {
	return temporal.NewSearchAttributes(StationIDKey.ValueSet(st.StationID),
		RegionCodeKey.ValueSet(st.RegionCode), StationLevelKey.ValueSet(st.Level))
}

// runHumanTask runs a human task as a child workflow of the caller and
// waits for its result.
func runHumanTask(ctx workflow.Context, st StationRef, in TaskInput, period string) (TaskResult, error) {
	in.StationID, in.StationLevel, in.StationRegion = st.StationID, st.Level, st.RegionCode
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID:            TaskWorkflowID(st.StationID, in.Kind, period),
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_REQUEST_CANCEL,
		TypedSearchAttributes: stationAttributes(st),
	})
	var res TaskResult
	err := workflow.ExecuteChildWorkflow(cctx, HumanTaskWorkflow, in).Get(ctx, &res)
	return res, err
}
