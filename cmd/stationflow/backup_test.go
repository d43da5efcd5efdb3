//go:build dev

package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/stationflow/stationflow/internal/bench"
	"github.com/stationflow/stationflow/internal/codec"
	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/rubric"
	"github.com/stationflow/stationflow/internal/store"
	"github.com/stationflow/stationflow/internal/testdb"
	"github.com/stationflow/stationflow/schemas"
	"github.com/stationflow/stationflow/worker"
	"github.com/stationflow/stationflow/workflows"
)

// backupStations is the size of the province the backup test evaluates.
const backupStations = 8

// TestABackupTakenMidCycleRestoresAndTheCycleFinishes backs up a running
// dev stack while half its stations have filed their self-assessment,
// restores the backup on a new data directory and a new database, starts
// the restored stack and drives the cycle to its end there: every station
// reaches its outcome, nothing done before the backup is done again, and
// the audit chain verifies.
func TestABackupTakenMidCycleRestoresAndTheCycleFinishes(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	// A scaled calendar so the appeal window passes in a blink, while the
	// due dates stay far beyond the test's length; no quarterly supervision.
	t.Setenv("STATIONFLOW_WORKDAY", "100ms")
	t.Setenv("STATIONFLOW_QUARTER_WORKDAYS", "1000000")
	t.Setenv("STATIONFLOW_RATE_LIMIT", "0")
	t.Setenv("STATIONFLOW_CODEC_KEY", "")

	source := newDevEnv(t)
	dev := source.startDev(t)
	admin := lastLine(source.cli(t, "token", "create", "--role", "admin"))
	st := openTestStore(t, source.databaseURL)
	province := startProvince(ctx, t, st, source)
	cycleID := startCycle(t, source, admin)
	rb := annualRubric(t)

	// The middle of the cycle: half the stations filed their self-assessment
	// and wait for evaluators, the other half have not filed yet.
	half := backupStations / 2
	require.Eventually(t, func() bool { return len(openTasks(ctx, st, cycleID, flow.KindSelfAssessment)) == backupStations },
		time.Minute, 200*time.Millisecond, "every station's self-assessment opens")
	for _, task := range openTasks(ctx, st, cycleID, flow.KindSelfAssessment)[:half] {
		status, raw := source.call(t, "POST", "/v1/tasks/"+task.ID.String()+"/complete", admin, bench.TaskForm(rb, flow.KindSelfAssessment))
		require.Equal(t, http.StatusOK, status, "completing a self-assessment: %s", raw)
	}
	require.Eventually(t, func() bool {
		c, err := st.GetCycle(ctx, cycleID)
		return err == nil && c.Counts[store.EvalEvaluation] == half && c.Counts[store.EvalSelfAssessment] == backupStations-half
	}, time.Minute, 200*time.Millisecond, "half the stations reach evaluation")
	filed := completedTasks(ctx, t, st, flow.KindSelfAssessment)
	require.Len(t, filed, half)

	// The backup, while the stack runs; then the machine is lost.
	backupDir := filepath.Join(t.TempDir(), "backup")
	t.Log(source.cli(t, "backup", "--to", backupDir))
	require.NoError(t, dev.Process.Kill())
	_, _ = dev.Process.Wait()
	st.Close()

	// A restore with another key is refused before it touches anything.
	restored := newEmptyDevEnv(t)
	other, err := codec.GenerateKey()
	require.NoError(t, err)
	refused := exec.Command(os.Args[0], "restore", "--from", backupDir)
	refused.Env = append(restored.environ(), "STATIONFLOW_CODEC_KEY="+other.Base64())
	out, err := refused.CombinedOutput()
	require.Error(t, err, "a restore with another payload key succeeded: %s", out)
	require.Contains(t, string(out), "fingerprint")
	require.NoDirExists(t, restored.dataDir)

	// The restore, with the stack's key file put in the new data directory.
	key, err := os.ReadFile(filepath.Join(source.dataDir, "codec.key"))
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(restored.dataDir, 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(restored.dataDir, "codec.key"), key, 0o600))
	t.Log(restored.cli(t, "restore", "--from", backupDir))
	restored.startDev(t)
	st = openTestStore(t, restored.databaseURL)

	driveToTheEnd(ctx, t, st, rb, restored, admin, cycleID)
	final, err := st.GetCycle(ctx, cycleID)
	require.NoError(t, err)
	require.Equal(t, store.CycleCompleted, final.State)
	require.Equal(t, len(province), final.Counts[store.EvalDone], "stations that reached their outcome: %v", final.Counts)
	assertNothingTwice(ctx, t, st)
	after := completedTasks(ctx, t, st, flow.KindSelfAssessment)
	require.Len(t, after, backupStations, "self-assessment tasks, one per station")
	for id, at := range filed {
		require.True(t, at.Equal(after[id]), "self-assessment %s filed before the backup was filed again after the restore", id)
	}
	t.Log(restored.cli(t, "audit", "verify"))
}

// newEmptyDevEnv is a dev stack's settings with a data directory and a
// database that do not exist yet, as a restore wants them.
func newEmptyDevEnv(t *testing.T) devEnv {
	suffix := make([]byte, 6)
	_, _ = rand.Read(suffix)
	name := "stationflow_restored_" + hex.EncodeToString(suffix)
	t.Cleanup(func() {
		ctx := context.Background()
		if conn, err := pgx.Connect(ctx, testdb.AdminURL()); err == nil {
			_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
			_ = conn.Close(ctx)
		}
	})
	return devEnv{dataDir: filepath.Join(t.TempDir(), "data"), httpAddr: "127.0.0.1:" + strconv.Itoa(freePort(t)),
		databaseURL: testdb.URL(name), temporalPort: freePort(t), uiPort: freePort(t)}
}

func openTestStore(t *testing.T, databaseURL string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), databaseURL)
	require.NoError(t, err)
	t.Cleanup(st.Close)
	return st
}

// startProvince writes a province of backupStations stations and starts
// their workflows, as a seeded province runs them.
func startProvince(ctx context.Context, t *testing.T, st *store.Store, e devEnv) []bench.Station {
	t.Helper()
	p, err := bench.WriteProvince(ctx, st, "51", backupStations, time.Date(time.Now().Year(), 1, 1, 0, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	key, err := codec.LoadKey("", filepath.Join(e.dataDir, "codec.key"))
	require.NoError(t, err)
	c, err := worker.Dial(ctx, worker.ClientOptions{HostPort: "127.0.0.1:" + strconv.Itoa(e.temporalPort), Namespace: flow.Namespace,
		Keys: []codec.Key{key}})
	require.NoError(t, err)
	defer c.Close()
	now := time.Now()
	for _, s := range p.Stations {
		require.NoError(t, workflows.StartStation(ctx, c, flow.TaskQueue, s.Input(now)))
	}
	return p.Stations
}

// startCycle starts this year's annual cycle over the province.
func startCycle(t *testing.T, e devEnv, admin string) uuid.UUID {
	t.Helper()
	status, raw := e.call(t, "POST", "/v1/cycles", admin, map[string]any{"region_code": "51", "year": time.Now().Year(),
		"rubric_version": "annual-2026.1", "self_assessment_due_workdays": 2000, "evaluation_due_workdays": 2000,
		"appeal_workdays": 1, "min_term_days": 0})
	var cycle store.Cycle
	require.Equal(t, http.StatusCreated, status, "starting the cycle: %s", raw)
	require.NoError(t, json.Unmarshal(raw, &cycle))
	return cycle.ID
}

func annualRubric(t *testing.T) *rubric.Rubric {
	t.Helper()
	rubrics, err := rubric.Load(schemas.FS, "rubrics")
	require.NoError(t, err)
	rb, err := rubrics.Get("annual-2026.1")
	require.NoError(t, err)
	return rb
}

// openTasks is the cycle's open tasks of a kind; none while PostgreSQL
// does not answer.
func openTasks(ctx context.Context, st *store.Store, cycleID uuid.UUID, kind string) []store.Task {
	tasks, _ := st.OpenCycleTasks(ctx, cycleID, kind)
	return tasks
}

// completedTasks maps each completed task of a kind to when it completed.
func completedTasks(ctx context.Context, t *testing.T, st *store.Store, kind string) map[uuid.UUID]time.Time {
	t.Helper()
	rows, err := st.DBForTests().Query(ctx, `SELECT id, completed_at FROM tasks WHERE kind = $1 AND state = 'completed'`, kind)
	require.NoError(t, err)
	done := map[uuid.UUID]time.Time{}
	var id uuid.UUID
	var at time.Time
	_, err = pgx.ForEachRow(rows, []any{&id, &at}, func() error { done[id] = at; return nil })
	require.NoError(t, err)
	return done
}

// driveToTheEnd completes, as the admin, every open task of the cycle, kind
// by kind, until the cycle completes.
func driveToTheEnd(ctx context.Context, t *testing.T, st *store.Store, rb *rubric.Rubric, e devEnv, admin string, cycleID uuid.UUID) {
	t.Helper()
	base := "http://" + e.httpAddr
	require.Eventually(t, func() bool {
		for _, kind := range bench.CycleTaskKinds {
			for _, task := range openTasks(ctx, st, cycleID, kind) {
				post(ctx, base+"/v1/tasks/"+task.ID.String()+"/complete", admin, bench.TaskForm(rb, kind))
			}
		}
		c, err := st.GetCycle(ctx, cycleID)
		return err == nil && c.State == store.CycleCompleted
	}, 3*time.Minute, time.Second, "the restored cycle completes")
}

// post sends a JSON body and drops the answer: the driver looks at the
// store, not at the answers, to know what is left.
func post(ctx context.Context, url, token string, body []byte) {
	req, err := http.NewRequestWithContext(ctx, "POST", url, bytes.NewReader(body))
	if err != nil {
		return
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	if res, err := http.DefaultClient.Do(req); err == nil {
		res.Body.Close()
	}
}

// assertNothingTwice checks that no scorecard, rectification, notification
// or renewal was made twice, and every station has its annual scorecard.
func assertNothingTwice(ctx context.Context, t *testing.T, st *store.Store) {
	t.Helper()
	for what, q := range map[string]string{
		"scorecards":       `SELECT count(*) FROM (SELECT 1 FROM scorecards GROUP BY station_id, kind, period HAVING count(*) > 1) d`,
		"rectifications":   `SELECT count(*) FROM (SELECT 1 FROM rectifications GROUP BY scorecard_id, indicator HAVING count(*) > 1) d`,
		"outbox rows":      `SELECT count(*) FROM (SELECT 1 FROM outbox GROUP BY idempotency_key HAVING count(*) > 1) d`,
		"renewals":         `SELECT count(*) FROM (SELECT 1 FROM contracts GROUP BY station_id HAVING count(*) <> 2) d`,
		"annual cards":     `SELECT ` + strconv.Itoa(backupStations) + ` - count(*) FROM scorecards WHERE kind = 'annual_evaluation'`,
		"self-assessments": `SELECT count(*) FROM (SELECT 1 FROM tasks WHERE kind = 'self_assessment' GROUP BY station_id, subject_id HAVING count(*) > 1) d`,
	} {
		var n int
		require.NoError(t, st.DBForTests().QueryRow(ctx, q).Scan(&n), what)
		require.Zero(t, n, "%s done twice or missing", what)
	}
}
