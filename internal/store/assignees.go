package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/stationflow/stationflow/internal/codes"
	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/store/db"
)

// Who may be assigned a task: one rule per task kind, the same for the
// first assignment, a reassignment and a claim. A task kind names the
// kinds of assignee it accepts: an office on the station's region chain
// (the county office or one above it), the station's operator, the
// applying organisation, or a supervisor of the region who is not
// employed by the operator (and, for an evaluation, does not already
// evaluate the station in the cycle).

// AssigneeTask is what the rule reads of a task: its kind, station and
// subject, and its ID (so the task itself never counts against its
// assignee).
type AssigneeTask struct {
	ID        uuid.UUID
	Kind      string
	StationID uuid.UUID
	SubjectID *uuid.UUID
}

// orgRule names the one organisation a task of the kind may go to.
type orgRule uint8

const (
	noOrg orgRule = iota
	operatorOrg
	applicantOrg
)

// assigneeRule is who may be assigned one kind of task.
type assigneeRule struct {
	office bool
	org    orgRule
	// supervisorDigits, when above zero, accepts a supervisor whose region
	// lies within the first so many digits of the station's region.
	supervisorDigits int
	// evaluator refuses a supervisor who evaluates the station in the
	// cycle already.
	evaluator bool
	allowed   string // who the kind accepts, Chinese first, English second
}

var supervisorRule = assigneeRule{office: true, supervisorDigits: 6,
	allowed: "只能指派给站点所在区县的督导或站点区域链上的民政部门 / may be assigned only to a supervisor of the station's county or an office on its region chain"}

var officeRule = assigneeRule{office: true,
	allowed: "只能指派给站点区域链上的民政部门 / may be assigned only to an office on the station's region chain"}

var operatorRule = assigneeRule{org: operatorOrg,
	allowed: "只能指派给站点的运营机构 / may be assigned only to the station's operator"}

// assigneeRules is the rule of every task kind.
var assigneeRules = map[string]assigneeRule{
	flow.KindApplicationReview:    officeRule,
	flow.KindApplicationAmendment: {org: applicantOrg, allowed: "只能指派给提出申请的机构 / may be assigned only to the applying organisation"},
	flow.KindSupervision:          supervisorRule,
	flow.KindRectification:        operatorRule,
	flow.KindRectificationCheck:   supervisorRule,
	flow.KindSelfAssessment:       operatorRule,
	flow.KindAnnualEvaluation: {office: true, supervisorDigits: 2, evaluator: true,
		allowed: "只能指派给站点所在省份的督导或站点区域链上的民政部门 / may be assigned only to a supervisor of the station's province or an office on its region chain"},
	flow.KindArbitration:     officeRule,
	flow.KindRenewalDecision: officeRule,
	flow.KindAppealReview:    officeRule,
}

// The rules' refusals, Chinese first, English second.
const (
	refuseNoSuchPerson   = "该人员不存在 / no such person"
	refuseNotSupervisor  = "该人员不是督导 / the person is not a supervisor"
	refuseOutsideRegion  = "督导不属于站点所在区域 / the supervisor does not belong to the station's region"
	refuseEmployed       = "督导不得受雇于站点的运营机构 / a supervisor may not be employed by the station's operator"
	refuseEvaluatesTwice = "同一评估员不得对同一站点评估两次 / the supervisor already evaluates this station in the cycle"
	refuseOffChain       = "民政部门不在站点的区域链上 / the office is not on the station's region chain"
	refuseWrongOrg       = "该机构不是此任务应指派的机构 / the organisation is not the one this task belongs to"
)

// AssigneeRefusal says why the assignee may not be given the task, or ""
// when it may.
func (s *Store) AssigneeRefusal(ctx context.Context, t AssigneeTask, a flow.Assignee) (string, error) {
	return assigneeRefusal(ctx, s.q, t, a)
}

func assigneeRefusal(ctx context.Context, q *db.Queries, t AssigneeTask, a flow.Assignee) (string, error) {
	rule, ok := assigneeRules[t.Kind]
	if !ok {
		return "", fmt.Errorf("task kind %q has no assignee rule", t.Kind)
	}
	st, err := q.GetStation(ctx, t.StationID)
	if err != nil {
		return "", fmt.Errorf("station %s of task %s: %w", t.StationID, t.ID, notFound(err))
	}
	switch {
	case a.Kind == flow.AssignOffice && rule.office:
		if !codes.Within(codes.OfficeRegion(st.RegionCode), a.ID) {
			return refuseOffChain, nil
		}
		return "", nil
	case a.Kind == flow.AssignOrg && rule.org != noOrg:
		return orgRefusal(ctx, q, rule.org, t, st, a.ID)
	case a.Kind == flow.AssignPerson && rule.supervisorDigits > 0:
		return supervisorRefusal(ctx, q, rule, t, st, a.ID)
	}
	return t.Kind + " " + rule.allowed, nil
}

// orgRefusal accepts only the organisation the task belongs to.
func orgRefusal(ctx context.Context, q *db.Queries, r orgRule, t AssigneeTask, st db.Station, id string) (string, error) {
	want := st.OperatorID
	if r == applicantOrg {
		if t.SubjectID == nil {
			return "", fmt.Errorf("task %s has no application", t.ID)
		}
		app, err := q.GetApplication(ctx, *t.SubjectID)
		if err != nil {
			return "", fmt.Errorf("application of task %s: %w", t.ID, notFound(err))
		}
		want = &app.OrganisationID
	}
	if want == nil || want.String() != id {
		return refuseWrongOrg, nil
	}
	return "", nil
}

// supervisorRefusal accepts a supervisor of the region, free of the
// operator and, for an evaluation, not evaluating the station already.
func supervisorRefusal(ctx context.Context, q *db.Queries, r assigneeRule, t AssigneeTask, st db.Station, id string) (string, error) {
	pid, err := uuid.Parse(id)
	if err != nil {
		return refuseNoSuchPerson, nil
	}
	p, err := q.GetPerson(ctx, pid)
	if errors.Is(err, pgx.ErrNoRows) {
		return refuseNoSuchPerson, nil
	}
	if err != nil {
		return "", err
	}
	switch {
	case p.Role != PersonSupervisor:
		return refuseNotSupervisor, nil
	case !codes.Within(p.RegionCode, st.RegionCode[:min(r.supervisorDigits, len(st.RegionCode))]):
		return refuseOutsideRegion, nil
	case p.OrganisationID != nil && st.OperatorID != nil && *p.OrganisationID == *st.OperatorID:
		return refuseEmployed, nil
	}
	if st.OperatorID != nil {
		// On the operator's roster (its own 督导, or any other post) is
		// employed by it, whatever the person record says.
		employed, err := q.OnOperatorRoster(ctx, db.OnOperatorRosterParams{PersonID: &pid, OrganisationID: *st.OperatorID,
			OnDay: calendarDay(time.Now())})
		if err != nil {
			return "", err
		}
		if employed {
			return refuseEmployed, nil
		}
	}
	if r.evaluator && t.SubjectID != nil {
		twice, err := q.EvaluatesStationElsewhere(ctx, db.EvaluatesStationElsewhereParams{CycleID: *t.SubjectID,
			StationID: t.StationID, PersonID: pid, TaskID: t.ID})
		if err != nil {
			return "", err
		}
		if twice {
			return refuseEvaluatesTwice, nil
		}
	}
	return "", nil
}

// eligible holds a first assignment's pick to the rule: a pick the rule
// refuses is no pick, and the office holds the task.
func eligible(ctx context.Context, q *db.Queries, t AssigneeTask, pick *uuid.UUID) (*uuid.UUID, error) {
	if pick == nil {
		return nil, nil
	}
	why, err := assigneeRefusal(ctx, q, t, flow.Assignee{Kind: flow.AssignPerson, ID: pick.String()})
	if err != nil || why != "" {
		return nil, err
	}
	return pick, nil
}
