package bench

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/workflow"
	"golang.org/x/sync/errgroup"

	"github.com/google/uuid"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/store"
)

// PingUpdate is the update the baseline's bare workflow answers at once.
const PingUpdate = "ping"

// BareUpdateWorkflow is the baseline for task completion: it answers every
// ping update and ends on its signal.
func BareUpdateWorkflow(ctx workflow.Context) error {
	if err := workflow.SetUpdateHandler(ctx, PingUpdate, func(workflow.Context, string) (string, error) { return "pong", nil }); err != nil {
		return err
	}
	workflow.GetSignalChannel(ctx, BareSignal).Receive(ctx, nil)
	return workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
}

// Latencies summarises one kind of call.
type Latencies struct {
	N        int
	Errors   int
	P50, P99 time.Duration
}

func summarise(ds []time.Duration, errors int) Latencies {
	l := Latencies{N: len(ds), Errors: errors}
	if len(ds) == 0 {
		return l
	}
	slices.Sort(ds)
	l.P50 = ds[len(ds)/2]
	l.P99 = ds[min(len(ds)-1, len(ds)*99/100)]
	return l
}

func (l Latencies) String() string {
	return fmt.Sprintf("%d calls, p50 %s, p99 %s, %d errors", l.N, l.P50.Round(10*time.Microsecond), l.P99.Round(10*time.Microsecond), l.Errors)
}

// LoadResult holds the load test's figures.
type LoadResult struct {
	Reads       Latencies // GET /v1/stations/{id}
	Completions Latencies // POST /v1/tasks/{id}/complete of self-assessments
	BareUpdates Latencies // a bare Temporal Update round trip
}

// Ratio is task completion's p50 over the bare Update round trip's.
func (r LoadResult) Ratio() float64 {
	return r.Completions.P50.Seconds() / r.BareUpdates.P50.Seconds()
}

// Load writes the province and starts a cycle over it, then, while the
// cycle runs, reads stations and completes self-assessments over HTTP at
// baseURL (loopback), at most reads requests and until every
// self-assessment is filed or the time bound passes. Last it times as many
// bare Update round trips as completions. Half the concurrency reads, half
// completes.
func Load(ctx context.Context, o Options, baseURL string, reads int, bound time.Duration) (LoadResult, error) {
	var res LoadResult
	f, err := o.loadFixture(ctx)
	if err != nil {
		return res, err
	}
	h := newHTTPCaller(baseURL, o.Concurrency)
	workers := max(o.Concurrency/2, 1)
	lctx, stop := context.WithTimeout(ctx, bound)
	defer stop()
	var both sync.WaitGroup
	both.Go(func() { res.Reads = f.timeReads(lctx, h, workers, max(reads/workers, 1)*workers) })
	both.Go(func() {
		res.Completions = f.timeCompletions(lctx, h, workers, TaskForm(o.Rubric, flow.KindSelfAssessment))
	})
	both.Wait()
	o.printf("while the cycle runs: GET /v1/stations/{id}: %s\n", res.Reads)
	o.printf("while the cycle runs: POST /v1/tasks/{id}/complete: %s\n", res.Completions)

	res.BareUpdates, err = o.timeBareUpdates(ctx, f.cycleID, workers, max(res.Completions.N/workers, 1))
	if err != nil {
		return res, err
	}
	o.printf("baseline: bare Temporal Update round trip: %s\n", res.BareUpdates)
	return res, nil
}

// loadFixture is what the load test works on: the province with its
// stations started, a cycle with every self-assessment open, the office's
// token and each station's organisation's token.
type loadFixture struct {
	province *Province
	cycleID  uuid.UUID
	office   string
	owner    map[uuid.UUID]string // station → its organisation's token
	tasks    []store.Task         // the open self-assessments
}

func (o Options) loadFixture(ctx context.Context) (*loadFixture, error) {
	p, err := WriteProvince(ctx, o.Store, "51", o.Stations, time.Date(time.Now().Year(), 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		return nil, err
	}
	if err := o.startStations(ctx, p); err != nil {
		return nil, err
	}
	f := &loadFixture{province: p, owner: map[uuid.UUID]string{}}
	if f.cycleID, err = o.startCycle(ctx, time.Now().Year()); err != nil {
		return nil, err
	}
	if f.office, _, err = o.Store.CreateToken(ctx, "bench", auth.RoleOffice, "51", "bench"); err != nil {
		return nil, err
	}
	orgTokens := map[uuid.UUID]string{}
	for _, s := range p.Stations {
		if _, ok := orgTokens[s.OrganisationID]; !ok {
			tok, _, err := o.Store.CreateToken(ctx, "bench", auth.RoleOrg, s.OrganisationID.String(), "bench")
			if err != nil {
				return nil, err
			}
			orgTokens[s.OrganisationID] = tok
		}
		f.owner[s.ID] = orgTokens[s.OrganisationID]
	}
	f.tasks, err = o.Store.OpenCycleTasks(ctx, f.cycleID, flow.KindSelfAssessment)
	return f, err
}

// timeReads reads n random stations as the office, workers at a time.
func (f *loadFixture) timeReads(ctx context.Context, h *httpCaller, workers, n int) Latencies {
	stations := f.province.Stations
	return timeCalls(ctx, n, workers, func(int) (time.Duration, bool) {
		s := stations[rand.IntN(len(stations))]
		return h.call(ctx, http.MethodGet, "/v1/stations/"+s.ID.String(), f.office, nil)
	})
}

// timeCompletions files every open self-assessment as its organisation,
// workers at a time.
func (f *loadFixture) timeCompletions(ctx context.Context, h *httpCaller, workers int, form []byte) Latencies {
	return timeCalls(ctx, len(f.tasks), workers, func(i int) (time.Duration, bool) {
		t := f.tasks[i]
		return h.call(ctx, http.MethodPost, "/v1/tasks/"+t.ID.String()+"/complete", f.owner[t.StationID], form)
	})
}

// timeBareUpdates is the baseline: n Update round trips on each of workers
// bare workflows, one workflow per worker, the same concurrency.
func (o Options) timeBareUpdates(ctx context.Context, cycleID uuid.UUID, workers, n int) (Latencies, error) {
	wids := make([]string, workers)
	for w := range workers {
		wids[w] = fmt.Sprintf("bare-update/%s/%d", cycleID, w)
		if _, err := o.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: wids[w], TaskQueue: o.TaskQueue}, BareUpdateWorkflow); err != nil {
			return Latencies{}, err
		}
	}
	var rec latencies
	var g errgroup.Group
	for _, wid := range wids {
		g.Go(func() error {
			for i := range n {
				start := time.Now()
				h, err := o.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: wid, UpdateName: PingUpdate,
					UpdateID: fmt.Sprint(i), Args: []any{"ping"}, WaitForStage: client.WorkflowUpdateStageCompleted})
				if err == nil {
					err = h.Get(ctx, nil)
				}
				rec.add(time.Since(start), err == nil)
			}
			_ = o.Client.SignalWorkflow(ctx, wid, "", BareSignal, nil)
			return nil
		})
	}
	_ = g.Wait()
	return rec.summary(), nil
}

// httpCaller makes timed calls to the API.
type httpCaller struct {
	baseURL string
	client  *http.Client
}

func newHTTPCaller(baseURL string, conns int) *httpCaller {
	return &httpCaller{baseURL: baseURL,
		client: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: conns}}}
}

// call makes one request with the token and reports how long it took and
// whether it answered 200.
func (h *httpCaller) call(ctx context.Context, method, path, token string, body []byte) (time.Duration, bool) {
	req, err := http.NewRequestWithContext(ctx, method, h.baseURL+path, bytes.NewReader(body))
	if err != nil {
		return 0, false
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	start := time.Now()
	resp, err := h.client.Do(req)
	d := time.Since(start)
	if err != nil {
		return d, false
	}
	resp.Body.Close()
	return d, resp.StatusCode == http.StatusOK
}

// latencies collects call durations from several goroutines.
type latencies struct {
	mu     sync.Mutex
	ds     []time.Duration
	errors int
}

func (l *latencies) add(d time.Duration, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ds = append(l.ds, d)
	if !ok {
		l.errors++
	}
}

func (l *latencies) summary() Latencies {
	l.mu.Lock()
	defer l.mu.Unlock()
	return summarise(l.ds, l.errors)
}

// timeCalls makes calls 0..n-1, at most workers at a time, until ctx ends,
// and summarises their latencies.
func timeCalls(ctx context.Context, n, workers int, call func(i int) (time.Duration, bool)) Latencies {
	var rec latencies
	var g errgroup.Group
	g.SetLimit(workers)
	for i := range n {
		if ctx.Err() != nil {
			break
		}
		g.Go(func() error {
			rec.add(call(i))
			return nil
		})
	}
	_ = g.Wait()
	return rec.summary()
}
