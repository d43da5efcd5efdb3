package devserver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enums "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// testLogger shows the server's warnings and errors in the test output.
func testLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// freePort asks the kernel for a port that is free right now.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func startServer(t testing.TB, o Options) *Server {
	t.Helper()
	if o.Logger == nil {
		o.Logger = testLogger()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	begin := time.Now()
	s, err := Start(ctx, o)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Logf("Start took %v (frontend %s, ui %q)", time.Since(begin).Round(time.Millisecond), s.FrontendAddress(), s.UIAddress())
	return s
}

func stopServer(t testing.TB, s *Server) {
	t.Helper()
	begin := time.Now()
	if err := s.Stop(); err != nil {
		t.Errorf("Stop: %v", err)
	}
	t.Logf("Stop took %v", time.Since(begin).Round(time.Millisecond))
}

func dialClient(t testing.TB, s *Server) client.Client {
	t.Helper()
	c, err := client.Dial(client.Options{
		HostPort:  s.FrontendAddress(),
		Namespace: s.Namespace(),
		Logger:    sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler)),
	})
	if err != nil {
		t.Fatalf("dial %s: %v", s.FrontendAddress(), err)
	}
	return c
}

const testTaskQueue = "devserver-test"

func greetActivity(_ context.Context, name string) (string, error) {
	return "hello " + name, nil
}

func greetWorkflow(ctx workflow.Context, name string) (string, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 10 * time.Second})
	var out string
	err := workflow.ExecuteActivity(ctx, "greet", name).Get(ctx, &out)
	return out, err
}

func startWorker(t testing.TB, c client.Client) worker.Worker {
	t.Helper()
	w := worker.New(c, testTaskQueue, worker.Options{})
	w.RegisterWorkflowWithOptions(greetWorkflow, workflow.RegisterOptions{Name: "greet"})
	w.RegisterActivityWithOptions(greetActivity, activity.RegisterOptions{Name: "greet"})
	if err := w.Start(); err != nil {
		t.Fatalf("start worker: %v", err)
	}
	return w
}

// runGreet runs the greet workflow to completion with the given search
// attributes and checks its result.
func runGreet(t testing.TB, c client.Client, id string, sa temporal.SearchAttributes) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                    id,
		TaskQueue:             testTaskQueue,
		TypedSearchAttributes: sa,
	}, "greet", "station")
	if err != nil {
		t.Fatalf("start workflow %s: %v", id, err)
	}
	var out string
	if err := run.Get(ctx, &out); err != nil {
		t.Fatalf("workflow %s: %v", id, err)
	}
	if out != "hello station" {
		t.Fatalf("workflow %s returned %q", id, out)
	}
}

func listSearchAttributes(t testing.TB, c client.Client, ns string) map[string]enums.IndexedValueType {
	t.Helper()
	resp, err := c.OperatorService().ListSearchAttributes(context.Background(),
		&operatorservice.ListSearchAttributesRequest{Namespace: ns})
	if err != nil {
		t.Fatalf("list search attributes: %v", err)
	}
	return resp.GetCustomAttributes()
}

var (
	saStation  = temporal.NewSearchAttributeKeyKeyword("StationId")
	saPriority = temporal.NewSearchAttributeKeyInt64("Priority")
	saProvince = temporal.NewSearchAttributeKeyKeyword("Province")
)

func TestPersistentRestart(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state") // Start creates it
	port := freePort(t)
	uiPort := freePort(t)
	attrs := map[string]enums.IndexedValueType{
		"StationId": enums.INDEXED_VALUE_TYPE_KEYWORD,
		"Priority":  enums.INDEXED_VALUE_TYPE_INT,
	}

	// First start: new database, UI on.
	s := startServer(t, Options{DataDir: dir, FrontendPort: port, UIPort: uiPort,
		Namespace: "stationflow", SearchAttributes: attrs})
	if got, want := s.FrontendAddress(), fmt.Sprintf("127.0.0.1:%d", port); got != want {
		t.Errorf("FrontendAddress = %q, want %q", got, want)
	}
	if s.Namespace() != "stationflow" {
		t.Errorf("Namespace = %q", s.Namespace())
	}
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o700 {
		t.Errorf("data dir mode = %v, want 0700", fi.Mode().Perm())
	}

	resp, err := http.Get("http://" + s.UIAddress() + "/")
	if err != nil {
		t.Fatalf("GET UI: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET UI / = %d", resp.StatusCode)
	}
	if !strings.Contains(strings.ToLower(string(body)), "<html") {
		t.Errorf("GET UI / did not return HTML: %.200s", body)
	}

	c := dialClient(t, s)
	w := startWorker(t, c)
	runGreet(t, c, "persisted-1", temporal.NewSearchAttributes(saStation.ValueSet("st-1"), saPriority.ValueSet(3)))
	w.Stop()
	c.Close()
	stopServer(t, s)

	// Port and lock are free again after Stop.
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatalf("frontend port still bound after Stop: %v", err)
	}
	l.Close()

	// Second start on the same directory with one more search attribute.
	attrs["Province"] = enums.INDEXED_VALUE_TYPE_KEYWORD
	s = startServer(t, Options{DataDir: dir, FrontendPort: port, Namespace: "stationflow", SearchAttributes: attrs})
	defer stopServer(t, s)
	if s.UIAddress() != "" {
		t.Errorf("UIAddress = %q without UI", s.UIAddress())
	}
	c = dialClient(t, s)
	defer c.Close()

	desc, err := c.DescribeWorkflowExecution(context.Background(), "persisted-1", "")
	if err != nil {
		t.Fatalf("describe workflow from before the restart: %v", err)
	}
	if st := desc.GetWorkflowExecutionInfo().GetStatus(); st != enums.WORKFLOW_EXECUTION_STATUS_COMPLETED {
		t.Errorf("persisted workflow status = %v", st)
	}

	got := listSearchAttributes(t, c, "stationflow")
	for name, typ := range attrs {
		if got[name] != typ {
			t.Errorf("search attribute %s = %v, want %v (all: %v)", name, got[name], typ, got)
		}
	}

	// The attribute added on this start is usable right away.
	w = startWorker(t, c)
	defer w.Stop()
	runGreet(t, c, "persisted-2", temporal.NewSearchAttributes(saProvince.ValueSet("Gauteng"), saStation.ValueSet("st-2")))
}

func TestSecondStartOnLockedDataDir(t *testing.T) {
	dir := t.TempDir()
	s := startServer(t, Options{DataDir: dir})
	defer stopServer(t, s)

	begin := time.Now()
	_, err := Start(context.Background(), Options{DataDir: dir, Logger: testLogger()})
	if !errors.Is(err, ErrDataDirLocked) {
		t.Fatalf("second Start on a locked data dir: err = %v, want ErrDataDirLocked", err)
	}
	t.Logf("second Start failed in %v: %v", time.Since(begin), err)
	if !strings.Contains(err.Error(), "temporal.lock") {
		t.Errorf("error does not name the lock file: %v", err)
	}

	// The first server is unaffected.
	c := dialClient(t, s)
	defer c.Close()
	if _, err := c.CheckHealth(context.Background(), &client.CheckHealthRequest{}); err != nil {
		t.Fatalf("first server after failed second start: %v", err)
	}
	w := startWorker(t, c)
	defer w.Stop()
	runGreet(t, c, "after-lock-failure", temporal.SearchAttributes{})
}

func TestPortInUse(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	busyPort := busy.Addr().(*net.TCPAddr).Port

	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		o    Options
		want string
	}{
		{"frontend", Options{DataDir: dir, FrontendPort: busyPort},
			fmt.Sprintf("port %d on 127.0.0.1 is in use: is another stationflow dev running? use --temporal-port", busyPort)},
		{"ui", Options{DataDir: dir, UIPort: busyPort},
			fmt.Sprintf("port %d on 127.0.0.1 is in use (Temporal Web UI): is another stationflow dev running? use --ui-port", busyPort)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.o.Logger = testLogger()
			_, err := Start(context.Background(), tc.o)
			var pe *PortInUseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want *PortInUseError", err)
			}
			if pe.Port != busyPort || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %q, want it to contain %q", err, tc.want)
			}
			if !errors.Is(err, syscall.EADDRINUSE) {
				t.Errorf("err does not wrap EADDRINUSE: %v", err)
			}
		})
	}

	// The failed starts released the data dir lock.
	l, err := lockDataDir(dir)
	if err != nil {
		t.Fatalf("lock still held after failed Start: %v", err)
	}
	l.release()
}

// An in-memory server runs workflows with search attributes, and Stop ends
// it: its frontend port is free again and the thousands of goroutines it
// ran are gone, so the tests that start one server after another do not pile
// servers up in their process.
func TestInMemory(t *testing.T) {
	before := runtime.NumGoroutine()
	s := startServer(t, Options{Namespace: "stationflow", SearchAttributes: map[string]enums.IndexedValueType{
		"StationId": enums.INDEXED_VALUE_TYPE_KEYWORD,
	}})
	c := dialClient(t, s)
	w := startWorker(t, c)
	runGreet(t, c, "in-memory", temporal.NewSearchAttributes(saStation.ValueSet("st-9")))
	if got := listSearchAttributes(t, c, "stationflow"); got["StationId"] != enums.INDEXED_VALUE_TYPE_KEYWORD {
		t.Errorf("search attributes = %v", got)
	}
	running := runtime.NumGoroutine()
	w.Stop()
	c.Close()
	stopServer(t, s)

	l, err := net.Listen("tcp", s.FrontendAddress())
	require.NoError(t, err, "frontend port still bound after Stop")
	l.Close()
	// A few goroutines of process-wide pools (the SDK's and the SQLite
	// driver's) outlive a server; the server's own do not.
	const left = 100
	require.Greater(t, running, 10*left, "the server ran too few goroutines for this check to mean anything")
	after := running
	require.Eventually(t, func() bool { after = runtime.NumGoroutine(); return after < before+left }, 30*time.Second, 50*time.Millisecond,
		"goroutines: %d before Start, %d running; more than %d stayed after Stop", before, running, left)
	t.Logf("goroutines: %d before Start, %d running, %d after Stop", before, running, after)
}

func TestPostgres(t *testing.T) {
	pgURL, err := throwawayPostgres(t)
	if err != nil {
		t.Fatal(err)
	}
	o := Options{PostgresURL: pgURL, Namespace: "stationflow", SearchAttributes: map[string]enums.IndexedValueType{
		"StationId": enums.INDEXED_VALUE_TYPE_KEYWORD,
	}}
	s := startServer(t, o)
	c := dialClient(t, s)
	w := startWorker(t, c)
	runGreet(t, c, "pg-1", temporal.NewSearchAttributes(saStation.ValueSet("st-1")))
	w.Stop()
	c.Close()
	stopServer(t, s)

	// Second start: existing schema, existing namespace, one new attribute.
	o.SearchAttributes["Province"] = enums.INDEXED_VALUE_TYPE_KEYWORD
	s = startServer(t, o)
	defer stopServer(t, s)
	c = dialClient(t, s)
	defer c.Close()
	desc, err := c.DescribeWorkflowExecution(context.Background(), "pg-1", "")
	if err != nil {
		t.Fatalf("describe workflow from before the restart: %v", err)
	}
	if st := desc.GetWorkflowExecutionInfo().GetStatus(); st != enums.WORKFLOW_EXECUTION_STATUS_COMPLETED {
		t.Errorf("persisted workflow status = %v", st)
	}
	w = startWorker(t, c)
	defer w.Stop()
	runGreet(t, c, "pg-2", temporal.NewSearchAttributes(saProvince.ValueSet("Limpopo")))
	if got := listSearchAttributes(t, c, "stationflow"); got["Province"] != enums.INDEXED_VALUE_TYPE_KEYWORD {
		t.Errorf("search attributes = %v", got)
	}
}

func TestSchemaVersionMismatch(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, dbFileName), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, schemaVersionFileName), []byte("main 0.1, visibility 0.1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Start(context.Background(), Options{DataDir: dir, Logger: testLogger()})
	if err == nil || !strings.Contains(err.Error(), `has Temporal SQLite schema "main 0.1, visibility 0.1"`) {
		t.Fatalf("Start on a data dir from another schema version: err = %v", err)
	}
}
