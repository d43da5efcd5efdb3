//go:build dev

package main

import (
	"bytes"
	"context"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"github.com/stationflow/stationflow/internal/devserver"
	"github.com/stationflow/stationflow/internal/devstack"
	"github.com/stationflow/stationflow/internal/testdb"
)

// The bench runs a small cycle to its end on its own embedded server and
// database, prints its figures with the ratio on the last line, keeps the
// largest history far under the limit, and drops its database.
func TestBenchCycleRunsToTheEndAndPrintsItsRatioLast(t *testing.T) {
	before := benchDatabases(t)
	var out bytes.Buffer
	err := run(context.Background(), []string{"bench", "cycle", "--stations", "40", "--years", "3",
		"--database-url", testdb.URL("postgres"), "--log-level", "warn"}, &out)
	if err != nil {
		t.Fatalf("bench: %v\n%s", err, out.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	last := lines[len(lines)-1]
	m := regexp.MustCompile(`^cycle fan-out \S+ vs 40 bare SignalWithStart \S+: ratio ([0-9.]+)$`).FindStringSubmatch(last)
	if m == nil {
		t.Fatalf("last line %q does not give the ratio; output:\n%s", last, out.String())
	}
	if ratio, err := strconv.ParseFloat(m[1], 64); err != nil || ratio <= 0 {
		t.Fatalf("ratio %q", m[1])
	}
	for _, want := range []string{"cycle to the end: 40 stations", ", 0 failed", "one station over 3 years: 12 quarters supervised, 3 runs"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	largest := regexp.MustCompile(`largest workflow history: (\d+) events`).FindStringSubmatch(out.String())
	if largest == nil {
		t.Fatalf("no largest history in:\n%s", out.String())
	}
	if n, _ := strconv.Atoi(largest[1]); n == 0 || n >= 4096 {
		t.Errorf("largest history %s events", largest[1])
	}
	for name := range benchDatabases(t) {
		if !before[name] {
			t.Errorf("the bench left its database %s behind", name)
		}
	}
}

// benchDatabases names the bench databases on the server: the bench's own
// is the one that appears while it runs, whatever another process left.
func benchDatabases(t *testing.T) map[string]bool {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), testdb.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	rows, err := conn.Query(context.Background(), `SELECT datname FROM pg_database WHERE datname LIKE 'stationflow_bench_%'`)
	if err != nil {
		t.Fatal(err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	set := map[string]bool{}
	for _, n := range names {
		set[n] = true
	}
	return set
}

// With --temporal-address the bench embeds no server: it runs its cycle on
// the cluster it is given, in that cluster's namespace.
func TestBenchCycleRunsOnAnExternalTemporal(t *testing.T) {
	ctx := context.Background()
	srv, err := devstack.StartServer(ctx, devserver.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = srv.Stop() }()
	var out bytes.Buffer
	err = run(ctx, []string{"bench", "cycle", "--stations", "10", "--years", "0", "--complete=false",
		"--temporal-address", srv.FrontendAddress(), "--database-url", testdb.URL("postgres"), "--log-level", "warn"}, &out)
	if err != nil {
		t.Fatalf("bench: %v\n%s", err, out.String())
	}
	if first := strings.SplitN(out.String(), "\n", 2)[0]; !strings.HasSuffix(first, "external Temporal at "+srv.FrontendAddress()) {
		t.Errorf("first line %q does not name the external server", first)
	}
	c, err := client.Dial(client.Options{HostPort: srv.FrontendAddress(), Namespace: "stationflow", Logger: sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler))})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	cycles, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Namespace: "stationflow",
		Query: "WorkflowType = 'CycleWorkflow'"})
	if err != nil || len(cycles.Executions) != 1 {
		t.Fatalf("the external server ran %d cycles (%v), want the bench's one", len(cycles.GetExecutions()), err)
	}
}

// The load bench reads stations and completes every self-assessment over
// HTTP while the cycle runs, with no failed call, and prints the ratio to
// a bare Update round trip last.
func TestBenchLoadCompletesEveryTaskAndPrintsItsRatioLast(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), []string{"bench", "load", "--stations", "30", "--reads", "300", "--concurrency", "8",
		"--database-url", testdb.URL("postgres"), "--log-level", "warn"}, &out)
	if err != nil {
		t.Fatalf("bench: %v\n%s", err, out.String())
	}
	for _, want := range []string{
		"GET /v1/stations/{id}: 300 calls", "POST /v1/tasks/{id}/complete: 30 calls",
		"bare Temporal Update round trip: 28 calls",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Count(out.String(), ", 0 errors") != 3 {
		t.Errorf("calls failed:\n%s", out.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if !regexp.MustCompile(`^task completion p50 \S+ vs bare Update round trip p50 \S+: ratio [0-9.]+$`).MatchString(lines[len(lines)-1]) {
		t.Errorf("last line %q", lines[len(lines)-1])
	}
}
