package activities

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"github.com/stationflow/stationflow/internal/calendar"
	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/period"
	"github.com/stationflow/stationflow/internal/rubric"
	"github.com/stationflow/stationflow/internal/store"
)

// SupervisionSchedule lists the quarters of a term with their opening
// moments. With a demo time scale, every quarter lasts QuarterWorkdays
// scaled working days from the anchor instead. Run as a local activity, so
// the schedule is recorded in the workflow's history.
func (a *Activities) SupervisionSchedule(_ context.Context, r flow.ScheduleRequest) ([]flow.ScheduledQuarter, error) {
	if !r.TermEnd.After(r.TermStart) {
		return nil, invalid("a term must end after it starts")
	}
	quarters := period.Span(r.TermStart, r.TermEnd)
	out := make([]flow.ScheduledQuarter, len(quarters))
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

// OpenSupervision picks the rubric, records the quarter and assigns its
// supervisor (balanced within the county, never one employed by the
// operating organisation). Repeating it returns the first answer.
func (a *Activities) OpenSupervision(ctx context.Context, o flow.SupervisionOpening) (flow.SupervisionOpened, error) {
	rb, err := a.supervisionRubric(o.RubricVersion)
	if err != nil {
		return flow.SupervisionOpened{}, err
	}
	q, err := a.Store.OpenSupervisionQuarter(ctx, store.SupervisionQuarter{StationID: o.StationID, Period: o.Period,
		ContractID: optional(o.ContractID), OrganisationID: optional(o.OrganisationID), TaskID: o.TaskID, RubricVersion: rb.Version},
		o.OfficeRegion, workflowActor(o.WorkflowID))
	if err != nil {
		return flow.SupervisionOpened{}, classify(err)
	}
	if q.RubricVersion != rb.Version { // opened before with another version: keep that one
		if rb, err = a.Rubrics.Get(q.RubricVersion); err != nil {
			return flow.SupervisionOpened{}, invalid("supervision rubric: %v", err)
		}
	}
	doc, err := json.Marshal(rb)
	if err != nil {
		return flow.SupervisionOpened{}, invalid("supervision rubric: %v", err)
	}
	out := flow.SupervisionOpened{Rubric: doc}
	if q.SupervisorID != nil {
		out.SupervisorID = *q.SupervisorID
	}
	return out, nil
}

// supervisionRubric is the rubric a new quarter is scored against: the
// version asked for, else the configured one, else the latest.
func (a *Activities) supervisionRubric(version string) (*rubric.Rubric, error) {
	if version == "" {
		version = a.SupervisionRubric
	}
	var rb *rubric.Rubric
	var err error
	if version == "" {
		rb, err = a.Rubrics.Latest(rubric.KindSupervision)
	} else {
		rb, err = a.Rubrics.Get(version)
	}
	if err != nil {
		return nil, invalid("supervision rubric: %v", err)
	}
	return rb, nil
}

// IssueScorecard stores the scorecard, immutable and with the SHA-256 of
// its content, and marks a supervised quarter filed. The ID is derived
// from what is scored, so a retry stores nothing twice.
func (a *Activities) IssueScorecard(ctx context.Context, r flow.ScorecardIssue) (uuid.UUID, error) {
	d := r.Document
	doc, err := json.Marshal(d)
	if err != nil {
		return uuid.Nil, invalid("scorecard: %v", err)
	}
	hash, err := rubric.ContentHash(d)
	if err != nil {
		return uuid.Nil, invalid("scorecard: %v", err)
	}
	actor := workflowActor(r.WorkflowID)
	issued, err := a.Store.IssueScorecard(ctx, store.Scorecard{ID: r.ScorecardID, StationID: d.StationID,
		OrganisationID: optional(d.OrganisationID), RegionCode: r.RegionCode, Kind: d.Kind, Period: d.Period, TaskID: d.TaskID,
		RubricVersion: d.RubricVersion, Total: d.Total, Passed: d.Passed, Late: d.Late, Document: doc, ContentHash: hash,
		FiledBy: d.FiledBy}, actor)
	if err != nil {
		return uuid.Nil, classify(err)
	}
	if d.Kind == rubric.KindSupervision {
		if err := a.Store.CloseSupervisionQuarter(ctx, d.StationID, d.Period, store.QuarterFiled, &issued.ID, "", actor); err != nil {
			return uuid.Nil, classify(err)
		}
	}
	return issued.ID, nil
}

// MarkSupervisionMissed closes the quarter as missed with the office's
// reason; repeating it changes nothing.
func (a *Activities) MarkSupervisionMissed(ctx context.Context, m flow.MissedSupervision) error {
	return classify(a.Store.CloseSupervisionQuarter(ctx, m.StationID, m.Period, store.QuarterMissed, nil, m.Reason, m.Actor))
}
