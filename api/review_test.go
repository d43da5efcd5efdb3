package api

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/codes"
	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/store"
)

func creditCode(t *testing.T, first17 string) string {
	t.Helper()
	c, err := codes.MakeCreditCode(first17)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// organisation registers an operating organisation and returns it with a token.
func (s *stack) organisation(admin, name, first17 string) (store.Organisation, string) {
	s.t.Helper()
	var org store.Organisation
	s.do("POST", "/v1/organisations", admin, map[string]any{"name": name, "credit_code": creditCode(s.t, first17)}).
		must(s.t, http.StatusCreated).json(s.t, &org)
	return org, s.token(auth.RoleOrg, org.ID.String())
}

func applicationBody() map[string]any {
	return map[string]any{
		"staffing": []map[string]any{
			{"name": "张伟", "employment": "full_time", "qualification": "assistant"},
			{"name": "李娜", "employment": "full_time", "qualification": "intermediate"},
			{"name": "王芳", "employment": "part_time", "qualification": "none"},
		},
		"targets": map[string]any{"needs_assessment": 120, "resource_linking": 80000, "social_assistance": 400,
			"elderly_child_care": 1500, "community_governance": 60, "industry_development": 12},
		"budget_yuan": 350000,
		"documents": []map[string]any{{"filename": "plan.pdf", "content_type": "application/pdf",
			"content_base64": "JVBERi0xLjQKJcTl8uXrCg=="}},
	}
}

// inboxTask waits until the task is in the caller's inbox and meets cond.
// The condition fails soft (a refused call is "not yet"), because
// require.Eventually runs it on a goroutine of its own, where t.Fatal must
// not be called; a last look on the test's goroutine says what went wrong.
func (s *stack) inboxTask(token, taskID string, cond func(store.Task) bool) store.Task {
	s.t.Helper()
	var found store.Task
	inInbox := func() bool {
		var list store.List[store.Task]
		r := s.do("GET", "/v1/tasks", token, nil)
		if r.Status != http.StatusOK || json.Unmarshal(r.Body, &list) != nil {
			return false
		}
		for _, t := range list.Items {
			if t.ID.String() == taskID && cond(t) {
				found = t
				return true
			}
		}
		return false
	}
	if !assert.Eventually(s.t, inInbox, 30*time.Second, 100*time.Millisecond) {
		var list store.List[store.Task]
		s.do("GET", "/v1/tasks", token, nil).must(s.t, 200).json(s.t, &list)
		s.t.Fatalf("task %s not in the inbox as expected; inbox: %+v", taskID, list.Items)
	}
	return found
}

func (s *stack) application(token, id string, state string) store.Application {
	s.t.Helper()
	var app store.Application
	waitFor(s.t, func() bool {
		s.do("GET", "/v1/applications/"+id, token, nil).must(s.t, 200).json(s.t, &app)
		return app.State == state
	})
	return app
}

func TestCompetingApplicationsAreReviewedAndTheApprovedOneRunsTheStation(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	admin := s.token(auth.RoleAdmin, "")
	_, _, township := s.province(admin)
	orgA, tokenA := s.organisation(admin, "成华区阳光社工服务中心", "52510108MJ0000001")
	_, tokenB := s.organisation(admin, "成华区晨曦社工服务中心", "52510108MJ0000002")
	county := s.token(auth.RoleOffice, "510108")
	stationApplications := "/v1/stations/" + township.ID.String() + "/applications"

	var appA, appB store.Application
	s.do("POST", stationApplications, tokenA, applicationBody()).must(t, 201).json(t, &appA)
	if appA.State != "under_review" || appA.ReviewTaskID == nil || len(appA.DocumentIDs) != 1 {
		t.Fatalf("application answer %+v", appA)
	}
	s.do("POST", stationApplications, tokenB, applicationBody()).must(t, 201).json(t, &appB)
	s.do("GET", "/v1/applications/"+appA.ID.String(), tokenB, nil).must(t, 404)
	s.do("GET", "/v1/applications/"+appA.ID.String(), s.token(auth.RoleOffice, "510104"), nil).must(t, 404)

	review := s.inboxTask(county, appA.ReviewTaskID.String(), func(t store.Task) bool { return t.State == "open" })
	if review.Kind != "application_review" || review.Assignee.ID != "510108" || review.DueAt.IsZero() || review.EscalationLevel != 0 {
		t.Fatalf("review task %+v", review)
	}
	// The organisation sees the review of its own application but may not decide it.
	s.do("GET", "/v1/tasks/"+review.ID.String(), tokenA, nil).must(t, 200)
	s.do("POST", "/v1/tasks/"+review.ID.String()+"/complete", tokenA, map[string]any{"decision": "approve"}).must(t, 403)
	s.do("GET", "/v1/tasks/"+review.ID.String(), tokenB, nil).must(t, 404)
	p := s.do("POST", "/v1/tasks/"+review.ID.String()+"/complete", county, map[string]any{"decision": "reject"}).must(t, 422).problem(t)
	if !fieldNamed(p, "reasons") {
		t.Errorf("a rejection without reasons: %+v", p)
	}
	var done store.Task
	s.do("POST", "/v1/tasks/"+review.ID.String()+"/complete", county, map[string]any{"decision": "approve"}).must(t, 200).json(t, &done)
	if done.State != "completed" {
		t.Fatalf("completed task %+v", done)
	}
	s.do("POST", "/v1/tasks/"+review.ID.String()+"/complete", county, map[string]any{"decision": "approve"}).must(t, 409)

	approved := s.application(tokenA, appA.ID.String(), "approved")
	closed := s.application(tokenB, appB.ID.String(), "closed")
	if closed.DecisionReason != "another application was approved" || approved.ContractID == nil {
		t.Errorf("approved %+v; closed %+v", approved, closed)
	}
	var station store.Station
	waitFor(t, func() bool {
		s.do("GET", "/v1/stations/"+township.ID.String(), tokenA, nil).must(t, 200).json(t, &station)
		return station.Phase == "operating"
	})
	if station.OperatorID == nil || *station.OperatorID != orgA.ID {
		t.Errorf("station %+v", station)
	}
	contracts, err := s.store.ContractsOf(context.Background(), township.ID)
	if err != nil || len(contracts) != 1 || contracts[0].OrganisationID != orgA.ID || contracts[0].FundingYuan != 350000 {
		t.Fatalf("contracts %+v (%v)", contracts, err)
	}
	// Organisation B no longer sees the station; its status page is empty of it.
	s.do("GET", "/v1/stations/"+township.ID.String(), tokenB, nil).must(t, 404)
	var status struct {
		Stations []store.StationStatus `json:"stations"`
	}
	s.do("GET", "/v1/organisations/"+orgA.ID.String()+"/status", tokenA, nil).must(t, 200).json(t, &status)
	if len(status.Stations) != 1 || status.Stations[0].Station.Phase != "operating" {
		t.Errorf("status %+v", status)
	}
	s.recordHistory(flow.StationWorkflowID(township.ID.String()), "station-competing-applications-one-approved")
	s.recordHistory(review.WorkflowID, "task-review-approved")
}

func TestAnInvalidApplicationNamesEveryFailingRuleAndStoresNothing(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	admin := s.token(auth.RoleAdmin, "")
	_, _, township := s.province(admin)
	_, token := s.organisation(admin, "x", "52510108MJ0000003")
	body := applicationBody()
	body["staffing"] = []map[string]any{{"name": "张伟", "employment": "full_time", "qualification": "none"},
		{"name": "", "employment": "contract", "qualification": "assistant"}}
	body["targets"] = map[string]any{"needs_assessment": -1, "resource_linking": 0}
	body["budget_yuan"] = 0
	p := s.do("POST", "/v1/stations/"+township.ID.String()+"/applications", token, body).must(t, 422).problem(t)
	for _, f := range []string{"staffing[1].name", "staffing[1].employment", "targets.needs_assessment", "targets.social_assistance", "budget_yuan"} {
		if !fieldNamed(p, f) {
			t.Errorf("no error on %s: %+v", f, p.Errors)
		}
	}
	// Shape is fine but the plan lacks two qualified full-time workers.
	body = applicationBody()
	body["staffing"] = []map[string]any{{"name": "张伟", "employment": "full_time", "qualification": "none"}}
	p = s.do("POST", "/v1/stations/"+township.ID.String()+"/applications", token, body).must(t, 422).problem(t)
	if !fieldNamed(p, "staffing") {
		t.Errorf("staffing rule: %+v", p.Errors)
	}
	var n int
	if err := s.store.DBForTests().QueryRow(context.Background(), `SELECT (SELECT count(*) FROM applications) + (SELECT count(*) FROM files)`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d rows stored for refused applications (%v)", n, err)
	}
}

func TestARejectedAndAnAmendedThenApprovedApplication(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	admin := s.token(auth.RoleAdmin, "")
	_, _, township := s.province(admin)
	_, tokenA := s.organisation(admin, "A", "52510108MJ0000004")
	_, tokenB := s.organisation(admin, "B", "52510108MJ0000005")
	county := s.token(auth.RoleOffice, "510108")
	path := "/v1/stations/" + township.ID.String() + "/applications"

	var rejected store.Application
	s.do("POST", path, tokenA, applicationBody()).must(t, 201).json(t, &rejected)
	s.inboxTask(county, rejected.ReviewTaskID.String(), func(store.Task) bool { return true })
	s.do("POST", "/v1/tasks/"+rejected.ReviewTaskID.String()+"/complete", county,
		map[string]any{"decision": "reject", "reasons": "the service plan ignores elderly care"}).must(t, 200)
	if app := s.application(tokenA, rejected.ID.String(), "rejected"); app.DecisionReason != "the service plan ignores elderly care" {
		t.Errorf("rejected %+v", app)
	}

	var amended store.Application
	s.do("POST", path, tokenB, applicationBody()).must(t, 201).json(t, &amended)
	s.inboxTask(county, amended.ReviewTaskID.String(), func(store.Task) bool { return true })
	s.do("POST", "/v1/tasks/"+amended.ReviewTaskID.String()+"/complete", county,
		map[string]any{"decision": "amend", "reasons": "add a volunteer plan"}).must(t, 200)
	s.application(tokenB, amended.ID.String(), "amendment_requested")
	var amendTask store.Task
	waitFor(t, func() bool {
		var list store.List[store.Task]
		s.do("GET", "/v1/tasks?kind=application_amendment", tokenB, nil).must(t, 200).json(t, &list)
		if len(list.Items) == 1 {
			amendTask = list.Items[0]
		}
		return len(list.Items) == 1
	})
	plan := applicationBody()
	delete(plan, "documents")
	plan["budget_yuan"] = 360000
	s.do("POST", "/v1/tasks/"+amendTask.ID.String()+"/complete", tokenB, plan).must(t, 200)
	second := s.application(tokenB, amended.ID.String(), "under_review")
	if second.Round != 2 || second.BudgetYuan != 360000 || second.ReviewTaskID == nil || *second.ReviewTaskID == *amended.ReviewTaskID {
		t.Fatalf("after amendment %+v", second)
	}
	s.inboxTask(county, second.ReviewTaskID.String(), func(store.Task) bool { return true })
	s.do("POST", "/v1/tasks/"+second.ReviewTaskID.String()+"/complete", county, map[string]any{"decision": "approve",
		"term": map[string]any{"start": "2026-07-01", "end": "2027-06-30"}}).must(t, 200)
	s.application(tokenB, amended.ID.String(), "approved")
	contracts, err := s.store.ContractsOf(context.Background(), township.ID)
	if err != nil || len(contracts) != 1 || contracts[0].TermStart.Format(time.DateOnly) != "2026-07-01" {
		t.Fatalf("contracts %+v (%v)", contracts, err)
	}
	s.recordHistory(flow.StationWorkflowID(township.ID.String()), "station-rejected-then-amended-and-approved")
	s.recordHistory(amendTask.WorkflowID, "task-amendment-completed")
}

func TestAReviewLeftAloneIsRemindedThenEscalatesToTheCityOffice(t *testing.T) {
	t.Parallel()
	// A working day lasts 300 ms: the review is due after 3 (0.9 s), the
	// reminder comes a working day before, and overdue work climbs one
	// office every 2 working days.
	s := newStackWith(t, stackOptions{workday: 300 * time.Millisecond, policies: map[string]flow.TaskPolicy{
		"application_review": {DueWorkdays: 3, RemindWorkdaysBefore: 1, EscalateEveryWorkdays: 2},
	}})
	admin := s.token(auth.RoleAdmin, "")
	_, _, township := s.province(admin)
	_, token := s.organisation(admin, "A", "52510108MJ0000006")
	var app store.Application
	s.do("POST", "/v1/stations/"+township.ID.String()+"/applications", token, applicationBody()).must(t, 201).json(t, &app)

	city := s.token(auth.RoleOffice, "5101")
	task := s.inboxTask(city, app.ReviewTaskID.String(), func(t store.Task) bool { return t.EscalationLevel >= 1 })
	if task.EscalatedTo != "5101" || task.State != "escalated" || !task.Overdue {
		t.Fatalf("escalated task %+v", task)
	}
	// The county office's overdue view covers its region, its own work included.
	var overdue store.List[store.Task]
	s.do("GET", "/v1/tasks?overdue=true", s.token(auth.RoleOffice, "510108"), nil).must(t, 200).json(t, &overdue)
	if len(overdue.Items) != 1 || overdue.Items[0].ID != task.ID {
		t.Fatalf("county overdue view %+v", overdue.Items)
	}
	province := s.token(auth.RoleOffice, "51")
	task = s.inboxTask(province, app.ReviewTaskID.String(), func(t store.Task) bool { return t.EscalationLevel == 2 })
	// The city office may decide the work that reached it.
	s.do("POST", "/v1/tasks/"+task.ID.String()+"/complete", city, map[string]any{"decision": "approve"}).must(t, 200)

	entries, err := store.ListAudit(context.Background(), s.store.DBForTests(), "task", task.ID.String())
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.Action)
	}
	want := []string{"task.created", "task.reminded", "task.escalated", "task.escalated", "task.completed"}
	if len(actions) != len(want) {
		t.Fatalf("audit %v, want %v", actions, want)
	}
	for i := range want {
		if actions[i] != want[i] {
			t.Fatalf("audit %v, want %v", actions, want)
		}
	}
	outbox, err := s.store.NotificationsFor(context.Background(), task.ID)
	if err != nil || len(outbox) != 4 || outbox[0].Event != "task.assigned" || outbox[0].Recipient != "office:510108" ||
		outbox[2].Recipient != "office:5101" || outbox[3].Recipient != "office:51" {
		t.Fatalf("outbox %+v (%v)", outbox, err)
	}
	s.recordHistory(task.WorkflowID, "task-review-reminded-escalated-twice-completed")
}

func TestTasksAreClaimedReassignedAndExtendedByTheRightOffices(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	admin := s.token(auth.RoleAdmin, "")
	_, _, township := s.province(admin)
	_, token := s.organisation(admin, "A", "52510108MJ0000007")
	county := s.token(auth.RoleOffice, "510108")
	colleague := s.token(auth.RoleOffice, "510108")
	city := s.token(auth.RoleOffice, "5101")
	var app store.Application
	s.do("POST", "/v1/stations/"+township.ID.String()+"/applications", token, applicationBody()).must(t, 201).json(t, &app)
	task := s.inboxTask(county, app.ReviewTaskID.String(), func(store.Task) bool { return true })
	taskPath := "/v1/tasks/" + task.ID.String()

	var claimed store.Task
	s.do("POST", taskPath+"/claim", county, nil).must(t, 200).json(t, &claimed)
	if claimed.State != "claimed" || claimed.ClaimedBy == "" {
		t.Fatalf("claimed %+v", claimed)
	}
	s.do("POST", taskPath+"/claim", colleague, nil).must(t, 409)
	s.do("POST", taskPath+"/complete", colleague, map[string]any{"decision": "approve"}).must(t, 403)
	p := s.do("POST", taskPath+"/extend", county, map[string]any{"workdays": 5}).must(t, 422).problem(t)
	if !fieldNamed(p, "reason") {
		t.Errorf("extend without reason: %+v", p)
	}
	var extended store.Task
	s.do("POST", taskPath+"/extend", county, map[string]any{"workdays": 5, "reason": "site visit first"}).must(t, 200).json(t, &extended)
	if !extended.DueAt.After(claimed.DueAt) {
		t.Errorf("due %s not after %s", extended.DueAt, claimed.DueAt)
	}
	s.do("POST", taskPath+"/reassign", token, map[string]any{"assignee": map[string]any{"kind": "office", "id": "5101"}, "reason": "x"}).must(t, 403)
	s.do("POST", taskPath+"/reassign", s.token(auth.RoleOffice, "510104"), map[string]any{"assignee": map[string]any{"kind": "office", "id": "5101"}, "reason": "x"}).must(t, 404)
	var reassigned store.Task
	s.do("POST", taskPath+"/reassign", city, map[string]any{"assignee": map[string]any{"kind": "office", "id": "5101"},
		"reason": "the city reviews pilot stations"}).must(t, 200).json(t, &reassigned)
	if reassigned.Assignee.ID != "5101" || reassigned.ClaimedBy != "" {
		t.Fatalf("reassigned %+v", reassigned)
	}
	s.inboxTask(city, task.ID.String(), func(store.Task) bool { return true })
	entries, err := store.ListAudit(context.Background(), s.store.DBForTests(), "task", task.ID.String())
	if err != nil || len(entries) != 4 {
		t.Fatalf("audit %+v (%v): want created, claimed, extended, reassigned", entries, err)
	}
	s.recordHistory(task.WorkflowID, "task-claimed-extended-reassigned")
}
