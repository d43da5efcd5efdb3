package api

import (
	"maps"
	"net/http"
	"testing"
	"time"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/store"
)

// Fields a caller may not set — a station's phase or operator, an
// application's state, a scorecard's total, an item's state, a cycle's
// state, anyone's scope — are refused by name, and nothing is changed.
func TestFieldsACallerMayNotSetAreRefusedByName(t *testing.T) {
	t.Parallel()
	s := newStackWith(t, stackOptions{workday: 100 * time.Millisecond, quarterWorkdays: 100000})
	admin := s.token(auth.RoleAdmin, "")
	org, orgToken := s.organisation(admin, "成华区阳光社工服务中心", "52510108MJ0000041")
	_, county, township := s.province(admin)
	countyToken := s.token(auth.RoleOffice, "510108")
	with := func(body map[string]any, field string, value any) map[string]any {
		out := maps.Clone(body)
		out[field] = value
		return out
	}
	refused := func(method, path, token string, body map[string]any, field string, status int) {
		t.Helper()
		p := s.do(method, path, token, body).must(t, status).problem(t)
		if !fieldNamed(p, field) {
			t.Errorf("%s %s with %q: problem %+v does not name it", method, path, field, p)
		}
	}

	station := map[string]any{"name": "双桥子街道社工站", "level": "township_station", "region_code": "510108002", "parent_id": county.ID}
	refused("POST", "/v1/stations", admin, with(station, "phase", "operating"), "phase", http.StatusBadRequest)
	refused("POST", "/v1/stations", admin, with(station, "operator_id", org.ID), "operator_id", http.StatusBadRequest)
	refused("POST", "/v1/stations", admin, with(station, "id", store.NewID()), "id", http.StatusBadRequest)
	refused("POST", "/v1/organisations", admin, map[string]any{"name": "某机构", "credit_code": validCreditCode, "id": store.NewID()},
		"id", http.StatusBadRequest)
	refused("POST", "/v1/people", admin, map[string]any{"name": "钱进", "role": "supervisor", "region_code": "510108", "scope": "51"},
		"scope", http.StatusBadRequest)
	app := applicationBody()
	refused("POST", "/v1/stations/"+township.ID.String()+"/applications", orgToken, with(app, "state", "approved"), "state", http.StatusBadRequest)
	refused("POST", "/v1/stations/"+township.ID.String()+"/applications", orgToken, with(app, "organisation_id", store.NewID()),
		"organisation_id", http.StatusBadRequest)

	// The review decision cannot carry the contract's ID or the state.
	var created store.Application
	s.do("POST", "/v1/stations/"+township.ID.String()+"/applications", orgToken, app).must(t, 201).json(t, &created)
	s.inboxTask(countyToken, created.ReviewTaskID.String(), func(store.Task) bool { return true })
	refused("POST", "/v1/tasks/"+created.ReviewTaskID.String()+"/complete", countyToken,
		map[string]any{"decision": "approve", "contract_id": store.NewID()}, "contract_id", http.StatusUnprocessableEntity)
	refused("POST", "/v1/tasks/"+created.ReviewTaskID.String()+"/complete", countyToken,
		map[string]any{"decision": "approve", "state": "completed"}, "state", http.StatusUnprocessableEntity)
	s.application(orgToken, created.ID.String(), "under_review")

	// Once it operates: a cycle's state and an evaluator's computed total
	// are the system's to set.
	s.do("POST", "/v1/tasks/"+created.ReviewTaskID.String()+"/complete", countyToken, map[string]any{"decision": "approve"}).must(t, 200)
	s.application(orgToken, created.ID.String(), "approved")
	cycle := map[string]any{"region_code": "510108", "year": chinaToday().Year(), "rubric_version": "annual-2026.1",
		"self_assessment_due_workdays": 600, "evaluation_due_workdays": 600, "min_term_days": 0}
	refused("POST", "/v1/cycles", countyToken, with(cycle, "state", "completed"), "state", http.StatusBadRequest)
	refused("POST", "/v1/cycles", countyToken, with(cycle, "stations", 0), "stations", http.StatusBadRequest)
	var started store.Cycle
	s.do("POST", "/v1/cycles", countyToken, cycle).must(t, 201).json(t, &started)
	task := s.cycleTask(orgToken, flow.KindSelfAssessment, township)
	form := rubricForm(task, 0.9)
	form["funding_used_yuan"] = 1000
	refused("POST", "/v1/tasks/"+task.ID.String()+"/complete", orgToken, with(form, "total", 100), "total", http.StatusUnprocessableEntity)
	refused("POST", "/v1/tasks/"+task.ID.String()+"/complete", orgToken, with(form, "grade", "excellent"), "grade", http.StatusUnprocessableEntity)
	refused("POST", "/v1/stations/"+township.ID.String()+"/appeals", orgToken,
		map[string]any{"reason": "评分程序有误需要复核", "decision": "renew"}, "decision", http.StatusBadRequest)
	var still store.Task
	s.do("GET", "/v1/tasks/"+task.ID.String(), orgToken, nil).must(t, 200).json(t, &still)
	if still.State != "open" {
		t.Fatalf("a refused form moved the task to %s", still.State)
	}
}
