package api

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/period"
	"github.com/stationflow/stationflow/internal/store"
)

// refusedAssignee checks that an answer is 422 naming assignee with the
// rule broken, Chinese first, English second.
func refusedAssignee(t *testing.T, r response, rule string) {
	t.Helper()
	p := r.must(t, 422).problem(t)
	for _, e := range p.Errors {
		if e.Field == "assignee" && strings.Contains(e.Message, rule) && strings.Contains(e.Message, " / ") {
			return
		}
	}
	t.Fatalf("refusal %+v does not name assignee with %q", p.Errors, rule)
}

// reassign sends a reassignment of a task as the caller.
func (s *stack) reassign(token, taskID, kind, id string) response {
	s.t.Helper()
	return s.do("POST", "/v1/tasks/"+taskID+"/reassign", token,
		map[string]any{"assignee": map[string]any{"kind": kind, "id": id}, "reason": "改派测试"})
}

// reassignedTo reassigns a task and checks the answer names the new
// assignee, open and unclaimed.
func (s *stack) reassignedTo(token, taskID, kind, id string) {
	s.t.Helper()
	var got store.Task
	s.reassign(token, taskID, kind, id).must(s.t, 200).json(s.t, &got)
	if got.Assignee.Kind != kind || got.Assignee.ID != id || got.State != flow.TaskOpen || got.ClaimedBy != "" {
		s.t.Fatalf("reassigned task %+v, want it open for %s:%s", got, kind, id)
	}
}

// The rule of who may do a task's work, held on reassignment and claim as
// on the first assignment: a supervision goes to a supervisor of the
// county free of the operator (or an office on the chain), a decision to
// an office on the station's region chain, a self-assessment to the
// operator.
func TestReassignmentAndClaimHoldTheAssigneeRuleOfTheTaskKind(t *testing.T) {
	t.Parallel()
	long := flow.TaskPolicy{DueWorkdays: 600, EscalateEveryWorkdays: 600}
	s := newStackWith(t, stackOptions{workday: 100 * time.Millisecond, quarterWorkdays: 20, policies: map[string]flow.TaskPolicy{
		flow.KindSupervision: long, flow.KindApplicationReview: long, flow.KindSelfAssessment: long}})
	admin := s.token(auth.RoleAdmin, "")
	orgA, tokenA := s.organisation(admin, "成华区阳光社工服务中心", "52510108MJ0000021")
	orgB, tokenB := s.organisation(admin, "成华区晨曦社工服务中心", "52510108MJ0000022")
	conflicted := s.person(admin, map[string]any{"name": "赵敏", "role": "supervisor", "region_code": "510108", "organisation_id": orgA.ID})
	free := s.person(admin, map[string]any{"name": "钱进", "role": "supervisor", "region_code": "510108001"})
	other := s.person(admin, map[string]any{"name": "孙丽", "role": "supervisor", "region_code": "510108"})
	faraway := s.person(admin, map[string]any{"name": "周强", "role": "supervisor", "region_code": "440106"})
	clerk := s.person(admin, map[string]any{"name": "吴芳", "role": "office_staff", "region_code": "510108"})
	_, county, township := s.province(admin)
	office := s.token(auth.RoleOffice, "510108")
	s.operatorFor(township, tokenA, office)

	// A self-assessment goes to the operator only.
	var cycle store.Cycle
	s.do("POST", "/v1/cycles", office, map[string]any{"region_code": "510108", "year": chinaToday().Year(), "rubric_version": "annual-2026.1",
		"self_assessment_due_workdays": 600, "evaluation_due_workdays": 600, "min_term_days": 0}).must(t, 201).json(t, &cycle)
	self := s.cycleTask(tokenA, flow.KindSelfAssessment, township).ID.String()
	refusedAssignee(t, s.reassign(office, self, "org", orgB.ID.String()), "该机构不是此任务应指派的机构")
	refusedAssignee(t, s.reassign(office, self, "office", "510108"), "may be assigned only to the station's operator")
	refusedAssignee(t, s.reassign(admin, self, "person", free), "只能指派给站点的运营机构")
	s.reassign(tokenA, self, "org", orgB.ID.String()).must(t, 403) // who may reassign comes first
	s.reassign(office, self, "org", orgA.ID.String()).must(t, 200)

	// A decision goes to an office on the station's region chain.
	var app store.Application
	s.do("POST", "/v1/stations/"+county.ID.String()+"/applications", tokenB, applicationBody()).must(t, 201).json(t, &app)
	review := app.ReviewTaskID.String()
	s.inboxTask(office, review, func(store.Task) bool { return true })
	refusedAssignee(t, s.reassign(office, review, "org", orgB.ID.String()), "只能指派给站点区域链上的民政部门")
	refusedAssignee(t, s.reassign(office, review, "person", free), "an office on the station's region chain")
	refusedAssignee(t, s.reassign(office, review, "office", "510104"), "民政部门不在站点的区域链上")
	refusedAssignee(t, s.reassign(admin, review, "office", "44"), "the office is not on the station's region chain")
	refusedAssignee(t, s.reassign(admin, review, "office", "510108001"), "民政部门不在站点的区域链上") // below the county office
	s.reassignedTo(admin, review, "office", "5101")

	// A supervision goes to a supervisor of the county who is not employed
	// by the operator, or to an office on the chain.
	quarter := period.Of(chinaToday()).String()
	first := s.supervisionTask(admin, quarter, func(t store.Task) bool { return t.StationID == township.ID })
	if first.Assignee.Kind != flow.AssignPerson || (first.Assignee.ID != free && first.Assignee.ID != other) {
		t.Fatalf("the supervision went first to %+v, want one of the county's supervisors free of the operator", first.Assignee)
	}
	task := first.ID.String()
	refusedAssignee(t, s.reassign(office, task, "org", orgA.ID.String()), "只能指派给站点所在区县的督导或站点区域链上的民政部门")
	refusedAssignee(t, s.reassign(office, task, "person", uuid.NewString()), "该人员不存在 / no such person")
	refusedAssignee(t, s.reassign(office, task, "person", "not-a-person"), "no such person")
	refusedAssignee(t, s.reassign(office, task, "person", clerk), "该人员不是督导 / the person is not a supervisor")
	refusedAssignee(t, s.reassign(office, task, "person", faraway), "督导不属于站点所在区域")
	refusedAssignee(t, s.reassign(office, task, "office", "510104"), "民政部门不在站点的区域链上")
	refusedAssignee(t, s.reassign(office, task, "person", conflicted),
		"督导不得受雇于站点的运营机构 / a supervisor may not be employed by the station's operator")
	s.reassignedTo(office, task, "person", other)
	s.reassignedTo(office, task, "person", free)

	// The supervisor takes a job with the operator: the task's rule now
	// refuses them, so they may neither claim nor file it.
	supervisor := s.token(auth.RoleSupervisor, free)
	if _, err := s.store.DBForTests().Exec(context.Background(), `UPDATE people SET organisation_id = $1 WHERE id = $2`, orgA.ID, free); err != nil {
		t.Fatal(err)
	}
	refusedAssignee(t, s.do("POST", "/v1/tasks/"+task+"/claim", supervisor, nil), "督导不得受雇于站点的运营机构")
	refusedAssignee(t, s.do("POST", "/v1/tasks/"+task+"/complete", supervisor, map[string]any{"scores": []any{}, "summary": "自查"}),
		"a supervisor may not be employed by the station's operator")
	var after store.Task
	s.do("GET", "/v1/tasks/"+task, office, nil).must(t, 200).json(t, &after)
	if after.State != flow.TaskOpen || after.ClaimedBy != "" {
		t.Fatalf("the refused claim changed the task: %+v", after)
	}
	// The office moves the work to a supervisor free of the operator, who
	// claims it.
	s.reassignedTo(office, task, "person", other)
	s.do("POST", "/v1/tasks/"+task+"/claim", s.token(auth.RoleSupervisor, other), nil).must(t, 200)
}
