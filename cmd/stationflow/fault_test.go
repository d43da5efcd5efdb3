//go:build fault && dev

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/bench"
	"github.com/stationflow/stationflow/internal/codec"
	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/rubric"
	"github.com/stationflow/stationflow/internal/store"
	"github.com/stationflow/stationflow/schemas"
	"github.com/stationflow/stationflow/worker"
	"github.com/stationflow/stationflow/workflows"
)

// faultStations is the size of the province the fault test evaluates.
const faultStations = 300

// privatePG is a PostgreSQL cluster of the test's own, started with
// initdb and pg_ctl, so restarting it touches nothing else.
type privatePG struct {
	dir  string
	port int
}

// asPostgres runs a PostgreSQL tool, as the postgres user when the test
// runs as root (initdb refuses root).
func asPostgres(name string, args ...string) error {
	cmd := exec.Command(name, args...)
	if os.Geteuid() == 0 {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", name}, args...)...)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s %v: %w\n%s", name, args, err, out)
	}
	return nil
}

func startPrivatePG(t *testing.T) *privatePG {
	t.Helper()
	dir, err := os.MkdirTemp("", "stationflow-fault-pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("running as root needs a postgres user for initdb: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	pg := &privatePG{dir: dir, port: freePort(t)}
	if err := asPostgres("initdb", "-D", filepath.Join(dir, "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"); err != nil {
		t.Fatal(err)
	}
	if err := pg.ctl("start"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = asPostgres("pg_ctl", "-D", filepath.Join(dir, "data"), "-m", "immediate", "stop") })
	return pg
}

func (pg *privatePG) ctl(action string) error {
	return asPostgres("pg_ctl", "-D", filepath.Join(pg.dir, "data"), "-l", filepath.Join(pg.dir, "log"), "-w", "-m", "fast",
		"-o", fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200", pg.port, pg.dir), action)
}

func (pg *privatePG) url() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/stationflow?sslmode=disable", pg.port)
}

// proc is one stationflow process, kept running the way a service manager
// would: whenever it exits, it is started again.
type proc struct {
	args   []string
	env    []string
	log    string
	mu     sync.Mutex
	cmd    *exec.Cmd
	done   bool
	starts int
	// stop is closed by shutdown, so that a restart pending its delay is
	// dropped at once.
	stop     chan struct{}
	stopOnce sync.Once
}

// restartDelay is how long a service manager waits before starting an
// exited process again (systemd's RestartSec).
const restartDelay = 300 * time.Millisecond

func (p *proc) run(t *testing.T) {
	f, err := os.OpenFile(p.log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	p.stop = make(chan struct{})
	t.Cleanup(func() { p.shutdown(); f.Close() })
	go func() {
		for {
			p.mu.Lock()
			if p.done {
				p.mu.Unlock()
				return
			}
			cmd := exec.Command(os.Args[0], p.args...)
			cmd.Env, cmd.Stdout, cmd.Stderr = p.env, f, f
			err := cmd.Start()
			if err == nil {
				p.cmd = cmd
				p.starts++
			}
			p.mu.Unlock()
			if err == nil {
				_ = cmd.Wait()
			}
			select {
			case <-p.stop:
				return
			case <-time.After(restartDelay):
			}
		}
	}()
}

// signal sends sig to the running process, if any.
func (p *proc) signal(sig syscall.Signal) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd != nil && p.cmd.ProcessState == nil {
		_ = p.cmd.Process.Signal(sig)
	}
}

func (p *proc) shutdown() {
	p.mu.Lock()
	p.done = true
	p.mu.Unlock()
	p.stopOnce.Do(func() { close(p.stop) })
	p.signal(syscall.SIGKILL)
}

// TestFaultsDuringACycleLoseNothing runs a cycle over a few hundred
// stations with Temporal, the worker and the API as separate processes on
// a private PostgreSQL cluster. While it runs, the worker is killed with
// SIGKILL five times, the Temporal server is restarted once and
// PostgreSQL is restarted once, and organisations keep sending service
// records. Every station must still reach its outcome with nothing done
// twice and nothing acknowledged lost, and the audit chain must verify.
func TestFaultsDuringACycleLoseNothing(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	f := startFaultStack(ctx, t)
	p, admin, orgToken := f.seed(ctx, t)
	var cycle store.Cycle
	status, body := send(ctx, f.base, "POST", "/v1/cycles", admin, map[string]any{"region_code": "51", "year": time.Now().Year(),
		"rubric_version": "annual-2026.1", "self_assessment_due_workdays": 2000, "evaluation_due_workdays": 2000,
		"appeal_workdays": 1, "min_term_days": 0})
	if status != http.StatusCreated || json.Unmarshal(body, &cycle) != nil {
		t.Fatalf("starting the cycle: %d %s", status, body)
	}

	// Faults, while the driver completes tasks and records keep coming.
	faultsDone := f.injectFaults(ctx, t)
	acked := make(chan []ack, 1)
	go func() { acked <- f.sendRecords(ctx, p, orgToken, faultsDone) }()

	// The driver: complete every open task of the cycle, as the admin.
	rubrics, err := rubric.Load(schemas.FS, "rubrics")
	if err != nil {
		t.Fatal(err)
	}
	rb, err := rubrics.Get("annual-2026.1")
	if err != nil {
		t.Fatal(err)
	}
	drive(ctx, t, f.st, rb, f.base, admin, cycle.ID)
	<-faultsDone
	acks := <-acked

	// The faults happened: the worker ran six times, Temporal twice.
	for name, want := range map[*proc]int{f.worker: 6, f.temporal: 2} {
		name.mu.Lock()
		if name.starts < want {
			t.Errorf("%v started %d times, want at least %d", name.args, name.starts, want)
		}
		name.mu.Unlock()
	}
	f.checkNothingLost(ctx, t, cycle.ID, acks)
	cmd := exec.Command(os.Args[0], "audit", "verify")
	cmd.Env = f.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("audit verify: %v\n%s", err, out)
	}
	t.Logf("%d stations evaluated to the end through the faults; %d service-record batches acknowledged; %s", faultStations, len(acks), bytes.TrimSpace(out))
}

// faultStack is the system under fault: Temporal, the worker and the API
// as processes of their own on a private PostgreSQL cluster.
type faultStack struct {
	pg                    *privatePG
	st                    *store.Store
	key                   codec.Key
	env                   []string
	temporalPort          int
	base                  string
	temporal, worker, api *proc
}

// startFaultStack starts the cluster, migrates its database and runs the
// three processes until the API is ready.
func startFaultStack(ctx context.Context, t *testing.T) *faultStack {
	f := &faultStack{pg: startPrivatePG(t)}
	if err := store.EnsureDatabase(ctx, f.pg.url()); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, f.pg.url())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	f.st = st
	if f.key, err = codec.GenerateKey(); err != nil {
		t.Fatal(err)
	}
	dataDir := t.TempDir()
	httpPort := freePort(t)
	f.temporalPort = freePort(t)
	f.env = append(os.Environ(), "STATIONFLOW_AS_BINARY=1", "DATABASE_URL="+f.pg.url(), "STATIONFLOW_DATA_DIR="+dataDir,
		"STATIONFLOW_TEMPORAL_PORT="+strconv.Itoa(f.temporalPort), "STATIONFLOW_UI_PORT=0", "TEMPORAL_ADDRESS=",
		"STATIONFLOW_HTTP_ADDR=127.0.0.1:"+strconv.Itoa(httpPort), "STATIONFLOW_CODEC_KEY="+f.key.Base64(),
		"STATIONFLOW_LOG_LEVEL=warn", "STATIONFLOW_WORKDAY=20ms", "STATIONFLOW_QUARTER_WORKDAYS=1000000", "STATIONFLOW_RATE_LIMIT=0")
	logs := t.TempDir()
	f.temporal = &proc{args: []string{"temporal"}, env: f.env, log: filepath.Join(logs, "temporal.log")}
	f.worker = &proc{args: []string{"worker"}, env: f.env, log: filepath.Join(logs, "worker.log")}
	f.api = &proc{args: []string{"api"}, env: f.env, log: filepath.Join(logs, "api.log")}
	for _, p := range []*proc{f.temporal, f.worker, f.api} {
		p.run(t)
	}
	t.Cleanup(func() {
		if t.Failed() {
			for _, name := range []string{"temporal.log", "worker.log", "api.log"} {
				b, _ := os.ReadFile(filepath.Join(logs, name))
				t.Logf("%s (last 3000 bytes):\n%s", name, tail(b, 3000))
			}
		}
	})
	f.base = "http://127.0.0.1:" + strconv.Itoa(httpPort)
	waitReady(t, f.base)
	return f
}

// seed writes the province, starts its stations' workflows and mints the
// admin's token and a token per organisation.
func (f *faultStack) seed(ctx context.Context, t *testing.T) (*bench.Province, string, map[uuid.UUID]string) {
	p, err := bench.WriteProvince(ctx, f.st, "51", faultStations, time.Date(time.Now().Year(), 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	c, err := worker.Dial(ctx, worker.ClientOptions{HostPort: "127.0.0.1:" + strconv.Itoa(f.temporalPort), Namespace: flow.Namespace,
		Keys: []codec.Key{f.key}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	now := time.Now()
	for _, s := range p.Stations {
		if err := workflows.StartStation(ctx, c, flow.TaskQueue, s.Input(now)); err != nil {
			t.Fatal(err)
		}
	}
	admin, _, err := f.st.CreateToken(ctx, "fault", auth.RoleAdmin, "", "fault")
	if err != nil {
		t.Fatal(err)
	}
	orgToken := map[uuid.UUID]string{}
	for _, s := range p.Stations {
		if _, ok := orgToken[s.OrganisationID]; !ok {
			if orgToken[s.OrganisationID], _, err = f.st.CreateToken(ctx, "fault", auth.RoleOrg, s.OrganisationID.String(), "fault"); err != nil {
				t.Fatal(err)
			}
		}
	}
	return p, admin, orgToken
}

// injectFaults kills the worker with SIGKILL five times, six seconds apart,
// restarting Temporal after the second kill and PostgreSQL after the
// fourth; the channel closes when it is done.
func (f *faultStack) injectFaults(ctx context.Context, t *testing.T) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 5 {
			sleepCtx(ctx, 6*time.Second)
			f.worker.signal(syscall.SIGKILL)
			t.Logf("worker killed with SIGKILL (%d of 5)", i+1)
			switch i {
			case 1:
				sleepCtx(ctx, 3*time.Second)
				f.temporal.signal(syscall.SIGTERM)
				t.Log("Temporal server stopped; it starts again")
			case 3:
				sleepCtx(ctx, 3*time.Second)
				if err := f.pg.ctl("restart"); err != nil {
					t.Errorf("restarting PostgreSQL: %v", err)
				}
				t.Log("PostgreSQL restarted")
			}
		}
	}()
	return done
}

// ack is one acknowledged service-record import.
type ack struct {
	id uuid.UUID
	n  int64
}

// sendRecords sends a batch of service records for one station after
// another until the faults are done, each batch again until it is
// acknowledged, and returns the acknowledgements.
func (f *faultStack) sendRecords(ctx context.Context, p *bench.Province, orgToken map[uuid.UUID]string, faultsDone <-chan struct{}) []ack {
	var acks []ack
	for i := 0; ; i++ {
		select {
		case <-faultsDone:
			return acks
		default:
		}
		s := p.Stations[i%len(p.Stations)]
		batch := map[string]any{"records": []map[string]any{{"date": time.Now().Format(time.DateOnly), "service_line": "social_assistance",
			"activity_type": fmt.Sprintf("visit-%d", i), "beneficiaries": map[string]int{"elderly": 1 + i%5}, "volunteers": 1,
			"volunteer_hours": 2, "resources_yuan": 0, "cases": 1}}}
		for {
			status, body := send(ctx, f.base, "POST", "/v1/stations/"+s.ID.String()+"/service-records", orgToken[s.OrganisationID], batch)
			if status == http.StatusCreated || status == http.StatusOK {
				var res store.ImportResult
				if err := json.Unmarshal(body, &res); err == nil {
					acks = append(acks, ack{res.ImportID, res.Imported})
				}
				break
			}
			if ctx.Err() != nil {
				return acks
			}
			sleepCtx(ctx, 200*time.Millisecond) // not acknowledged: send the same batch again
		}
		sleepCtx(ctx, 100*time.Millisecond)
	}
}

// checkNothingLost checks that every station reached its outcome, nothing
// was done twice and every acknowledged record is stored.
func (f *faultStack) checkNothingLost(ctx context.Context, t *testing.T, cycleID uuid.UUID, acks []ack) {
	final, err := f.st.GetCycle(ctx, cycleID)
	if err != nil || final.State != store.CycleCompleted || final.Counts[store.EvalDone] != faultStations {
		t.Fatalf("cycle %+v (%v)", final, err)
	}
	for what, q := range map[string]string{
		"scorecards":      `SELECT count(*) FROM (SELECT 1 FROM scorecards GROUP BY station_id, kind, period HAVING count(*) > 1) d`,
		"rectifications":  `SELECT count(*) FROM (SELECT 1 FROM rectifications GROUP BY scorecard_id, indicator HAVING count(*) > 1) d`,
		"outbox rows":     `SELECT count(*) FROM (SELECT 1 FROM outbox GROUP BY idempotency_key HAVING count(*) > 1) d`,
		"renewals":        `SELECT count(*) FROM (SELECT 1 FROM contracts GROUP BY station_id HAVING count(*) <> 2) d`,
		"annual cards":    `SELECT ` + strconv.Itoa(faultStations) + ` - count(*) FROM scorecards WHERE kind = 'annual_evaluation'`,
		"service imports": `SELECT count(*) FROM (SELECT 1 FROM service_record_imports GROUP BY station_id, sha256 HAVING count(*) > 1) d`,
	} {
		var n int
		if err := f.st.DBForTests().QueryRow(ctx, q).Scan(&n); err != nil || n != 0 {
			t.Errorf("%s: %d done twice or missing (%v)", what, n, err)
		}
	}
	if len(acks) == 0 {
		t.Fatal("no service records were acknowledged")
	}
	for _, a := range acks {
		var n int64
		if err := f.st.DBForTests().QueryRow(ctx, `SELECT count(*) FROM service_records WHERE import_id = $1`, a.id).Scan(&n); err != nil || n != a.n {
			t.Errorf("acknowledged import %s of %d records holds %d (%v)", a.id, a.n, n, err)
		}
	}
}

// drive completes every open task of the cycle over HTTP until the cycle
// completes, sending again whatever a fault interrupted.
func drive(ctx context.Context, t *testing.T, st *store.Store, rb *rubric.Rubric, base, token string, cycleID uuid.UUID) {
	t.Helper()
	for {
		c, err := st.GetCycle(ctx, cycleID)
		if err == nil && c.State == store.CycleCompleted {
			return
		}
		if ctx.Err() != nil {
			t.Fatalf("the cycle did not complete: %+v", c)
		}
		for _, kind := range bench.CycleTaskKinds {
			tasks, err := st.OpenCycleTasks(ctx, cycleID, kind)
			if err != nil {
				continue // PostgreSQL is restarting
			}
			form := json.RawMessage(bench.TaskForm(rb, kind))
			for _, task := range tasks {
				send(ctx, base, "POST", "/v1/tasks/"+task.ID.String()+"/complete", token, form)
			}
		}
		sleepCtx(ctx, 500*time.Millisecond)
	}
}

// send makes one API call; a failed connection is status 0.
func send(ctx context.Context, base, method, path, token string, body any) (int, []byte) {
	raw, _ := json.Marshal(body)
	if r, ok := body.(json.RawMessage); ok {
		raw = r
	}
	req, err := http.NewRequestWithContext(ctx, method, base+path, bytes.NewReader(raw))
	if err != nil {
		return 0, nil
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil
	}
	defer res.Body.Close()
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(res.Body)
	return res.StatusCode, buf.Bytes()
}

func waitReady(t *testing.T, base string) {
	t.Helper()
	require.Eventually(t, func() bool {
		res, err := http.Get(base + "/readyz")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == http.StatusOK
	}, 90*time.Second, 200*time.Millisecond, "the API was not ready in 90 s")
}

func sleepCtx(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}
