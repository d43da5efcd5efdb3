package api

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/store"
)

// openReview applies for the township station and returns the county
// office's token with the application's review task once it is open.
func (s *stack) openReview(first17 string) (county string, task store.Task) {
	s.t.Helper()
	admin := s.token(auth.RoleAdmin, "")
	_, _, township := s.province(admin)
	_, orgToken := s.organisation(admin, "阳光社工服务中心", first17)
	county = s.token(auth.RoleOffice, "510108")
	var app store.Application
	s.do("POST", "/v1/stations/"+township.ID.String()+"/applications", orgToken, applicationBody()).must(s.t, http.StatusCreated).json(s.t, &app)
	return county, s.inboxTask(county, app.ReviewTaskID.String(), func(t store.Task) bool { return t.State == "open" })
}

// withWaitTimeout is the stack answering through a second API server
// whose requests wait at most d on a workflow; the fixture is built
// through the first, whose default deadline a loaded machine meets.
func (s *stack) withWaitTimeout(d time.Duration) *stack {
	s.t.Helper()
	api := &Server{Store: s.store, Temporal: s.temporal, TaskQueue: s.taskQueue, Logger: slog.New(slog.DiscardHandler), WaitTimeout: d}
	hs := httptest.NewServer(api.Router())
	s.t.Cleanup(hs.Close)
	c := *s
	c.http = hs
	return &c
}

func (s *stack) exec(sql string) {
	s.t.Helper()
	if _, err := s.store.DBForTests().Exec(context.Background(), sql); err != nil {
		s.t.Fatal(err)
	}
}

// openFailures is the caller's list of open projection failures.
func (s *stack) openFailures(token string) []store.ProjectionFailure {
	s.t.Helper()
	var list struct{ Items []store.ProjectionFailure }
	s.do("GET", "/v1/projection-failures", token, nil).must(s.t, http.StatusOK).json(s.t, &list)
	return list.Items
}

// A claim whose projection PostgreSQL refuses as data (a CHECK the claimed
// state breaks: SQLSTATE 23514) does not fail the task's workflow: the
// failure is recorded, visible to the region's office, counted in
// /metrics, and the workflow waits, alive, for a retry; the request that
// waits on it answers 504 within its deadline. Once the cause is mended,
// the office's retry lands the claim.
func TestAProjectionThatFailsForGoodIsHeldShownCountedAndRetried(t *testing.T) {
	t.Parallel()
	const deadline = 2 * time.Second
	s := newStack(t)
	county, task := s.openReview("52510108MJ0000011")
	tight := s.withWaitTimeout(deadline)
	taskPath := "/v1/tasks/" + task.ID.String()
	s.exec(`ALTER TABLE tasks ADD CONSTRAINT test_no_claims CHECK (state <> 'claimed') NOT VALID`)

	start := time.Now()
	p := tight.do("POST", taskPath+"/claim", county, nil).must(t, http.StatusGatewayTimeout).problem(t)
	if elapsed := time.Since(start); p.Type != ProblemTimeout || elapsed > deadline+3*time.Second {
		t.Fatalf("after %s: %+v", elapsed, p)
	}
	var failures []store.ProjectionFailure
	waitFor(t, func() bool { failures = s.openFailures(county); return len(failures) == 1 })
	f := failures[0]
	if f.WorkflowID != task.WorkflowID || f.Activity != flow.ProjectTaskActivity || f.ErrorClass != "DataError" ||
		f.RegionCode != task.RegionCode || f.StationID == nil || *f.StationID != task.StationID || f.RetriedAt != nil {
		t.Fatalf("failure %+v of task %+v", f, task)
	}
	if other := s.openFailures(s.token(auth.RoleOffice, "510104")); len(other) != 0 {
		t.Fatalf("another county sees %+v", other)
	}
	metrics := s.do("GET", "/metrics", stackMetricsToken, nil).must(t, http.StatusOK).Body
	for _, want := range []string{"stationflow_projection_failures_open 1\n",
		`stationflow_projection_failures_open_by_class{activity="ProjectTask",error_class="DataError"} 1`} {
		if !bytes.Contains(metrics, []byte(want)) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	desc, err := s.temporal.DescribeWorkflowExecution(context.Background(), task.WorkflowID, "")
	if err != nil || desc.GetWorkflowExecutionInfo().GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		t.Fatalf("the task's workflow should wait, alive: %v (%v)", desc.GetWorkflowExecutionInfo().GetStatus(), err)
	}
	var held store.Task
	s.do("GET", taskPath, county, nil).must(t, http.StatusOK).json(t, &held)
	if held.State != "open" {
		t.Fatalf("the task shows %q, not its last state that landed", held.State)
	}

	s.exec(`ALTER TABLE tasks DROP CONSTRAINT test_no_claims`)
	var retried store.ProjectionFailure
	res := s.do("POST", "/v1/projection-failures/"+f.ID.String()+"/retry", county, nil).must(t, http.StatusAccepted)
	res.json(t, &retried)
	if retried.RetriedAt == nil || res.Header.Get("Location") != "/v1/projection-failures" {
		t.Fatalf("retry answer %+v %v", retried, res.Header)
	}
	s.do("POST", "/v1/projection-failures/"+f.ID.String()+"/retry", county, nil).must(t, http.StatusConflict)
	s.inboxTask(county, task.ID.String(), func(t store.Task) bool { return t.State == "claimed" })
	if open := s.openFailures(county); len(open) != 0 {
		t.Fatalf("still open after the retry landed: %+v", open)
	}
	metrics = s.do("GET", "/metrics", stackMetricsToken, nil).must(t, http.StatusOK).Body
	if !bytes.Contains(metrics, []byte("stationflow_projection_failures_open 0\n")) {
		t.Error("/metrics still counts the retried failure")
	}
	s.do("POST", taskPath+"/claim", county, nil).must(t, http.StatusConflict)
}

// With the worker stopped, nothing answers a task's Update: the request
// answers 504 workflow-timeout once its deadline passes, not before and
// not long after, and the task is as it was.
func TestARequestWhoseWorkflowDoesNotAnswerGets504AtTheDeadline(t *testing.T) {
	t.Parallel()
	const deadline = 500 * time.Millisecond
	s := newStack(t)
	county, task := s.openReview("52510108MJ0000012")
	s.worker.Stop()
	tight := s.withWaitTimeout(deadline)

	start := time.Now()
	p := tight.do("POST", "/v1/tasks/"+task.ID.String()+"/claim", county, nil).must(t, http.StatusGatewayTimeout).problem(t)
	elapsed := time.Since(start)
	if p.Type != ProblemTimeout || p.Title != problemTitles[ProblemTimeout] || elapsed < deadline || elapsed > deadline+3*time.Second {
		t.Fatalf("after %s (deadline %s): %+v", elapsed, deadline, p)
	}
	var same store.Task
	s.do("GET", "/v1/tasks/"+task.ID.String(), county, nil).must(t, http.StatusOK).json(t, &same)
	if same.State != "open" {
		t.Fatalf("task %+v", same)
	}
}
