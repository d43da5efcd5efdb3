package api

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/stationflow/stationflow/activities"
	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/codec"
	"github.com/stationflow/stationflow/internal/devstack"
	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/rubric"
	"github.com/stationflow/stationflow/internal/store"
	"github.com/stationflow/stationflow/internal/testdb"
	"github.com/stationflow/stationflow/internal/testkit"
	"github.com/stationflow/stationflow/schemas"
)

// The integration tests share one embedded Temporal server (in memory) and
// give every test its own database and task queue.
func TestMain(m *testing.M) {
	code := m.Run()
	devstack.StopShared()
	os.Exit(code)
}

// recordHistories writes the histories the tests produce into
// workflows/testdata/histories, for the replay tests to check against:
// go test ./api/ -run . -record-histories
var recordHistories = flag.Bool("record-histories", false, "write workflow histories for the replay tests")

// recordHistory saves a workflow's history as JSON under name.
func (s *stack) recordHistory(workflowID, name string) {
	s.t.Helper()
	if !*recordHistories {
		return
	}
	iter := s.temporal.GetWorkflowHistory(context.Background(), workflowID, "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var events []*historypb.HistoryEvent
	for iter.HasNext() {
		e, err := iter.Next()
		if err != nil {
			s.t.Fatal(err)
		}
		events = append(events, e)
	}
	raw, err := protojson.MarshalOptions{Indent: "  "}.Marshal(&historypb.History{Events: events})
	if err != nil {
		s.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("..", "workflows", "testdata", "histories", name+".json"), raw, 0o644); err != nil {
		s.t.Fatal(err)
	}
}

// stack is a running stationflow: database, worker and HTTP API.
type stack struct {
	t         *testing.T
	store     *store.Store
	temporal  client.Client
	taskQueue string
	http      *httptest.Server
	worker    sdkworker.Worker
}

// stackOptions tunes a stack: how long a working day lasts, and each task
// kind's durations in working days.
type stackOptions struct {
	workday         time.Duration
	policies        map[string]flow.TaskPolicy
	quarterWorkdays int // a supervision quarter's length in working days
	rateLimit       float64
	now             func() time.Time // the rate limiters' clock; nil: time.Now
	waitTimeout     time.Duration    // each wait on a workflow; zero: the default
	sessions        store.SessionLimits
	signIn          store.SignInLimits
}

// stackMetricsToken is the token /metrics asks for on a stack's API.
const stackMetricsToken = "test-metrics-token"

func newStack(t *testing.T) *stack { return newStackWith(t, stackOptions{}) }

func newStackWith(t *testing.T, o stackOptions) *stack {
	t.Helper()
	if o.workday == 0 {
		o.workday = time.Hour // no deadline falls due while a test runs
	}
	srv, err := devstack.Shared()
	if err != nil {
		t.Fatalf("embedded Temporal server: %v", err)
	}
	st, _ := testdb.New(t)
	logger := slog.New(slog.DiscardHandler)
	rubrics, err := rubric.Load(schemas.FS, "rubrics")
	if err != nil {
		t.Fatal(err)
	}
	taskQueue := "test-" + store.NewID().String()
	stk, err := devstack.Start(context.Background(), devstack.Options{HostPort: srv.FrontendAddress(), Namespace: srv.Namespace(),
		Keys: []codec.Key{testkit.PayloadKey()}, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stk.Close)
	w, err := stk.StartWorker(devstack.WorkerOptions{TaskQueue: taskQueue,
		Activities: &activities.Activities{Store: st, Logger: logger, Workday: o.workday, Policies: o.policies,
			Rubrics: rubrics, QuarterWorkdays: o.quarterWorkdays}})
	if err != nil {
		t.Fatal(err)
	}
	c := stk.Client
	// The API's errors go to the test's log, so a 500 says what failed.
	apiLogger := slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelError}))
	api := &Server{Store: st, Temporal: c, TaskQueue: taskQueue, Logger: apiLogger, RateLimit: o.rateLimit, Rubrics: rubrics, Workday: o.workday,
		MetricsToken: stackMetricsToken, now: o.now, WaitTimeout: o.waitTimeout, SessionLimits: o.sessions, SignInLimits: o.signIn}
	hs := httptest.NewServer(api.Router())
	t.Cleanup(hs.Close)
	return &stack{t: t, store: st, temporal: c, taskQueue: taskQueue, http: hs, worker: w}
}

// testLog writes to the test's log.
type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// token mints a token for role and scope.
func (s *stack) token(role auth.Role, scope string) string {
	s.t.Helper()
	tok, _, err := s.store.CreateToken(context.Background(), "test", role, scope, "")
	if err != nil {
		s.t.Fatal(err)
	}
	return tok
}

// response is a decoded HTTP answer, checked against the OpenAPI document.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r response) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decoding %s: %v", r.Body, err)
	}
}

// problem decodes a problem+json body.
func (r response) problem(t *testing.T) Problem {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type %q, want application/problem+json; body %s", ct, r.Body)
	}
	var p Problem
	r.json(t, &p)
	return p
}

// do sends a request with an optional token and JSON body (a string is sent
// as is, anything else is marshalled) and checks the answer against the spec.
func (s *stack) do(method, path, token string, body any) response {
	s.t.Helper()
	switch b := body.(type) {
	case nil:
		return s.send(method, path, token, "", nil)
	case string:
		return s.send(method, path, token, "application/json", []byte(b))
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			s.t.Fatal(err)
		}
		return s.send(method, path, token, "application/json", raw)
	}
}

// send sends a request with a body of any content type (none when
// contentType is empty) and checks the answer against the spec.
func (s *stack) send(method, path, token, contentType string, body []byte) response {
	s.t.Helper()
	var rd io.Reader
	if contentType != "" {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, s.http.URL+path, rd)
	if err != nil {
		s.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := s.http.Client().Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	specReq, _ := http.NewRequest(method, "http://localhost"+path, nil)
	checkResponseAgainstSpec(s.t, specReq, res.StatusCode, res.Header, raw)
	return response{Status: res.StatusCode, Header: res.Header, Body: raw}
}

// must fails the test unless the answer has the wanted status.
func (r response) must(t *testing.T, status int) response {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d; body %s", r.Status, status, r.Body)
	}
	return r
}

func fieldNamed(p Problem, field string) bool {
	for _, e := range p.Errors {
		if e.Field == field {
			return true
		}
	}
	return false
}

func path(format string, args ...any) string { return fmt.Sprintf(format, args...) }
