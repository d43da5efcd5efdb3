package workflows

import (
	"encoding/json"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/stationflow/stationflow/internal/codes"
	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/forms"
	"github.com/stationflow/stationflow/internal/rubric"
)

func init() {
	registerForm(flow.KindSupervision, scoredCheck(func(r *rubric.Rubric, f rubric.Form) forms.Errors { return r.Check(f) }))
}

// SupervisionWorkflow is one station's supervision for one quarter: it
// assigns the supervisor, opens the scored-form task with the rubric frozen
// into it, issues the scorecard when the form is filed, and opens a
// rectification item for every failed indicator, waiting until each is
// verified. An office may close the task as missed, with a reason.
func SupervisionWorkflow(ctx workflow.Context, in flow.SupervisionInput) (flow.SupervisionOutcome, error) {
	s := &supervisionRun{in: in, wid: workflow.GetInfo(ctx).WorkflowExecution.ID,
		out: flow.SupervisionOutcome{Period: in.Period, Rectifications: []uuid.UUID{}}}
	err := s.run(ctx)
	return s.out, err
}

type supervisionRun struct {
	in       flow.SupervisionInput
	wid      string
	out      flow.SupervisionOutcome
	assignee flow.Assignee // who supervises, and later verifies the rectifications
}

// run is the quarter's story: open it, have the form filed (or the quarter
// closed as missed), issue the scorecard, and rectify what failed.
func (s *supervisionRun) run(ctx workflow.Context) error {
	taskID := derivedID("supervision-task/%s/%s", s.in.Station.StationID, s.in.Period)
	opened, err := s.open(ctx, taskID)
	if err != nil {
		return err
	}
	res, err := runHumanTask(ctx, s.in.Station, flow.TaskInput{TaskID: taskID, Kind: flow.KindSupervision, Assignee: s.assignee,
		Period: s.in.Period, Rubric: opened.Rubric, DueFrom: s.in.QuarterEnd, Closable: true}, s.in.Period)
	if err != nil {
		return err
	}
	if res.Closed {
		s.out.Missed = true
		return project(ctx, flow.MarkSupervisionMissedActivity, flow.MissedSupervision{
			StationID: s.in.Station.StationID, Period: s.in.Period, Reason: res.CloseReason, Actor: res.CompletedBy, WorkflowID: s.wid,
		})
	}
	card, err := s.issueScorecard(ctx, taskID, opened.Rubric, res)
	if err != nil {
		return err
	}
	return s.rectify(ctx, card.FailedIndicators)
}

// open records the quarter and assigns its supervisor; with none eligible
// the county office holds the task.
func (s *supervisionRun) open(ctx workflow.Context, taskID uuid.UUID) (flow.SupervisionOpened, error) {
	office := codes.OfficeRegion(s.in.Station.RegionCode)
	var opened flow.SupervisionOpened
	actx := workflow.WithActivityOptions(ctx, projectionOptions)
	if err := workflow.ExecuteActivity(actx, flow.OpenSupervisionActivity, flow.SupervisionOpening{
		StationID: s.in.Station.StationID, RegionCode: s.in.Station.RegionCode, OfficeRegion: office,
		OrganisationID: s.in.OrganisationID, ContractID: s.in.ContractID, Period: s.in.Period, TaskID: taskID, WorkflowID: s.wid,
	}).Get(ctx, &opened); err != nil {
		return opened, err
	}
	s.assignee = flow.Assignee{Kind: flow.AssignOffice, ID: office}
	if opened.SupervisorID != uuid.Nil {
		s.assignee = flow.Assignee{Kind: flow.AssignPerson, ID: opened.SupervisorID.String()}
	}
	return opened, nil
}

// issueScorecard scores the filed form against the frozen rubric and
// issues the quarter's scorecard.
func (s *supervisionRun) issueScorecard(ctx workflow.Context, taskID uuid.UUID, rubricDoc json.RawMessage, res flow.TaskResult) (rubric.Scorecard, error) {
	rb, err := decodeRubric(rubricDoc)
	if err != nil {
		return rubric.Scorecard{}, err
	}
	form, err := decodeForm[rubric.Form](res, "the filed form")
	if err != nil {
		return rubric.Scorecard{}, err
	}
	card, errs := rb.Score(form)
	if len(errs) > 0 { // the task's validator checked the same rules
		return card, temporal.NewNonRetryableApplicationError("the filed form breaks the rubric: "+errs.Error(), flow.RejectInvalid, errs)
	}
	scores, err := json.Marshal(form.Scores)
	if err != nil {
		return card, unreadable("the filed scores", err)
	}
	doc := flow.ScorecardDocument{StationID: s.in.Station.StationID, OrganisationID: s.in.OrganisationID, Kind: flow.KindSupervision,
		Period: s.in.Period, TaskID: taskID, Scorecard: card, PassMark: rb.PassMark, Late: res.Late,
		Scores: scores, Summary: form.Summary, FiledBy: res.CompletedBy, FiledAt: workflow.Now(ctx).UTC()}
	scorecardID := derivedID("scorecard/%s/%s/%s", s.in.Station.StationID, flow.KindSupervision, s.in.Period)
	if err := project(ctx, flow.IssueScorecardActivity, flow.ScorecardIssue{ScorecardID: scorecardID,
		RegionCode: s.in.Station.RegionCode, WorkflowID: s.wid, Document: doc}); err != nil {
		return card, err
	}
	s.out.ScorecardID, s.out.Total, s.out.Passed = scorecardID, card.Total, card.Passed
	return card, nil
}

// rectify opens one rectification item for each failed indicator, run side
// by side, and waits until every one is verified.
func (s *supervisionRun) rectify(ctx workflow.Context, failed []rubric.FailedIndicator) error {
	var pending []workflow.ChildWorkflowFuture
	for _, f := range failed {
		item := derivedID("rectification/%s/%s", s.out.ScorecardID, f.ID)
		s.out.Rectifications = append(s.out.Rectifications, item)
		cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
			WorkflowID:            flow.RectificationWorkflowID(s.in.Station.StationID.String(), s.in.Period, f.ID),
			WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
			ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_REQUEST_CANCEL,
			TypedSearchAttributes: stationAttributes(s.in.Station),
		})
		pending = append(pending, workflow.ExecuteChildWorkflow(cctx, RectificationWorkflow, flow.RectificationInput{
			ItemID: item, Station: s.in.Station, OrganisationID: s.in.OrganisationID, ScorecardID: s.out.ScorecardID,
			Period: s.in.Period, Indicator: f, Verifier: s.assignee,
		}))
	}
	for _, f := range pending {
		if err := f.Get(ctx, nil); err != nil {
			return err
		}
	}
	return nil
}
