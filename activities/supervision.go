package activities

import (
	"context"
	"encoding/json"
	"time"

	"github.com/stationflow/stationflow/internal/calendar"
	"github.com/stationflow/stationflow/internal/period"
	"github.com/stationflow/stationflow/internal/rubric"
	"github.com/stationflow/stationflow/internal/store"
)

// ScheduleRequest asks when each quarter of a contract term opens for
// supervision. Anchor is the moment the term began in the workflow's time;
// only a demo time scale uses it.
type ScheduleRequest struct {
	TermStart time.Time `json:"term_start"`
	TermEnd   time.Time `json:"term_end"`
	Anchor    time.Time `json:"anchor"`
}

// ScheduledQuarter is one quarter of a term and the moment its supervision
// opens: the start of the day after the quarter (or the term) ends, China
// time. Its working days to the due date count from then.
type ScheduledQuarter struct {
	Period  string    `json:"period"`
	OpensAt time.Time `json:"opens_at"`
}

// SupervisionSchedule lists the quarters of a term with their opening
// moments. With a demo time scale, every quarter lasts QuarterWorkdays
// scaled working days from the anchor instead. Run as a local activity, so
// the schedule is recorded in the workflow's history.
func (a *Activities) SupervisionSchedule(_ context.Context, r ScheduleRequest) ([]ScheduledQuarter, error) {
	if !r.TermEnd.After(r.TermStart) {
		return nil, invalid("a term must end after it starts")
	}
	quarters := period.Span(r.TermStart, r.TermEnd)
	out := make([]ScheduledQuarter, len(quarters))
	for i, q := range quarters {
		out[i].Period = q.String()
		if a.Workday > 0 {
			out[i].OpensAt = r.Anchor.Add(time.Duration((i+1)*a.quarterWorkdays()) * a.Workday)
			continue
		}
		last := q.Last()
		if r.TermEnd.Before(last) {
			last = r.TermEnd
		}
		out[i].OpensAt = time.Date(last.Year(), last.Month(), last.Day()+1, 0, 0, 0, 0, calendar.Location())
	}
	return out, nil
}

func (a *Activities) quarterWorkdays() int {
	if a.QuarterWorkdays > 0 {
		return a.QuarterWorkdays
	}
	return DefaultQuarterWorkdays
}

// DefaultQuarterWorkdays is a quarter's length under a demo time scale.
const DefaultQuarterWorkdays = 60

// SupervisionOpening opens a station's quarter for supervision.
type SupervisionOpening struct {
	StationID      string `json:"station_id"`
	RegionCode     string `json:"region_code"`
	OfficeRegion   string `json:"office_region"`
	OrganisationID string `json:"organisation_id"`
	ContractID     string `json:"contract_id"`
	Period         string `json:"period"`
	TaskID         string `json:"task_id"`
	RubricVersion  string `json:"rubric_version,omitempty"` // empty: the configured or latest supervision rubric
	WorkflowID     string `json:"workflow_id"`
}

// SupervisionOpened says who supervises the quarter and with which rubric.
type SupervisionOpened struct {
	SupervisorID string         `json:"supervisor_id,omitempty"` // empty: no eligible supervisor; the county office holds the task
	Rubric       *rubric.Rubric `json:"rubric"`
}

// OpenSupervision picks the rubric, records the quarter and assigns its
// supervisor (balanced within the county, never one employed by the
// operating organisation). Repeating it returns the first answer.
func (a *Activities) OpenSupervision(ctx context.Context, o SupervisionOpening) (SupervisionOpened, error) {
	station, err := parseID("station_id", o.StationID)
	if err != nil {
		return SupervisionOpened{}, err
	}
	taskID, err := parseID("task_id", o.TaskID)
	if err != nil {
		return SupervisionOpened{}, err
	}
	org, err := optionalID("organisation_id", o.OrganisationID)
	if err != nil {
		return SupervisionOpened{}, err
	}
	contract, err := optionalID("contract_id", o.ContractID)
	if err != nil {
		return SupervisionOpened{}, err
	}
	version := o.RubricVersion
	if version == "" {
		version = a.SupervisionRubric
	}
	var rb *rubric.Rubric
	if version == "" {
		rb, err = a.Rubrics.Latest(rubric.KindSupervision)
	} else {
		rb, err = a.Rubrics.Get(version)
	}
	if err != nil {
		return SupervisionOpened{}, invalid("supervision rubric: %v", err)
	}
	q, err := a.Store.OpenSupervisionQuarter(ctx, store.SupervisionQuarter{StationID: station, Period: o.Period, ContractID: contract,
		OrganisationID: org, TaskID: taskID, RubricVersion: rb.Version}, o.OfficeRegion, "workflow:"+o.WorkflowID)
	if err != nil {
		return SupervisionOpened{}, classify(err)
	}
	if q.RubricVersion != rb.Version { // opened before with another version: keep that one
		if rb, err = a.Rubrics.Get(q.RubricVersion); err != nil {
			return SupervisionOpened{}, invalid("supervision rubric: %v", err)
		}
	}
	out := SupervisionOpened{Rubric: rb}
	if q.SupervisorID != nil {
		out.SupervisorID = q.SupervisorID.String()
	}
	return out, nil
}

// ScorecardDocument is an issued scorecard's content: the computed result
// and the form it came from. Its JSON bytes are stored as they were hashed.
type ScorecardDocument struct {
	StationID      string `json:"station_id"`
	OrganisationID string `json:"organisation_id,omitempty"`
	Kind           string `json:"kind"`
	Period         string `json:"period"`
	TaskID         string `json:"task_id"`
	rubric.Scorecard
	PassMark float64        `json:"pass_mark"`
	Late     bool           `json:"late"`
	Scores   []rubric.Score `json:"scores"`
	Summary  string         `json:"summary"`
	FiledBy  string         `json:"filed_by"`
	FiledAt  time.Time      `json:"filed_at"`
	// Annual scorecards only: the grade, each evaluator's total and how
	// the total was reached (mean_of_agreeing or arbitration).
	Grade       string    `json:"grade,omitempty"`
	GradeLabel  string    `json:"grade_label,omitempty"`
	Evaluations []float64 `json:"evaluations,omitempty"`
	Method      string    `json:"method,omitempty"`
}

// ScorecardIssue asks for a scorecard to be issued under a fixed ID.
type ScorecardIssue struct {
	ScorecardID string            `json:"scorecard_id"`
	RegionCode  string            `json:"region_code"`
	WorkflowID  string            `json:"workflow_id"`
	Document    ScorecardDocument `json:"document"`
}

// IssueScorecard stores the scorecard, immutable and with the SHA-256 of
// its content, and marks a supervised quarter filed. The ID is derived
// from what is scored, so a retry stores nothing twice.
func (a *Activities) IssueScorecard(ctx context.Context, r ScorecardIssue) (string, error) {
	id, err := parseID("scorecard_id", r.ScorecardID)
	if err != nil {
		return "", err
	}
	d := r.Document
	station, err := parseID("station_id", d.StationID)
	if err != nil {
		return "", err
	}
	taskID, err := parseID("task_id", d.TaskID)
	if err != nil {
		return "", err
	}
	org, err := optionalID("organisation_id", d.OrganisationID)
	if err != nil {
		return "", err
	}
	doc, err := json.Marshal(d)
	if err != nil {
		return "", invalid("scorecard: %v", err)
	}
	hash, err := rubric.ContentHash(d)
	if err != nil {
		return "", invalid("scorecard: %v", err)
	}
	actor := "workflow:" + r.WorkflowID
	issued, err := a.Store.IssueScorecard(ctx, store.Scorecard{ID: id, StationID: station, OrganisationID: org, RegionCode: r.RegionCode,
		Kind: d.Kind, Period: d.Period, TaskID: taskID, RubricVersion: d.RubricVersion, Total: d.Total, Passed: d.Passed, Late: d.Late,
		Document: doc, ContentHash: hash, FiledBy: d.FiledBy}, actor)
	if err != nil {
		return "", classify(err)
	}
	if d.Kind == rubric.KindSupervision {
		if err := a.Store.CloseSupervisionQuarter(ctx, station, d.Period, store.QuarterFiled, &issued.ID, "", actor); err != nil {
			return "", classify(err)
		}
	}
	return issued.ID.String(), nil
}

// MissedSupervision records that the office closed a quarter unfiled.
type MissedSupervision struct {
	StationID  string `json:"station_id"`
	Period     string `json:"period"`
	Reason     string `json:"reason"`
	Actor      string `json:"actor"`
	WorkflowID string `json:"workflow_id"`
}

// MarkSupervisionMissed closes the quarter as missed with the office's
// reason; repeating it changes nothing.
func (a *Activities) MarkSupervisionMissed(ctx context.Context, m MissedSupervision) error {
	station, err := parseID("station_id", m.StationID)
	if err != nil {
		return err
	}
	return classify(a.Store.CloseSupervisionQuarter(ctx, station, m.Period, store.QuarterMissed, nil, m.Reason, m.Actor))
}

// RectificationProjection is an item's state to write, with the event.
type RectificationProjection struct {
	Item       store.Rectification `json:"item"`
	Event      string              `json:"event"`
	Actor      string              `json:"actor"`
	Reason     string              `json:"reason,omitempty"`
	WorkflowID string              `json:"workflow_id"`
}

// ProjectRectification writes an item into its read model and the audit
// log; the version makes it idempotent.
func (a *Activities) ProjectRectification(ctx context.Context, p RectificationProjection) error {
	actor := p.Actor
	if actor == "" || actor == "system" {
		actor = "workflow:" + p.WorkflowID
	}
	return classify(a.Store.ProjectRectification(ctx, p.Item, p.Event, actor, p.Reason))
}
