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

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/flow"
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
	p, err := WriteProvince(ctx, o.Store, "51", o.Stations, time.Date(time.Now().Year(), 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		return res, err
	}
	if err := o.startStations(ctx, p); err != nil {
		return res, err
	}
	cycleID, err := o.startCycle(ctx, time.Now().Year())
	if err != nil {
		return res, err
	}
	office, _, err := o.Store.CreateToken(ctx, "bench", auth.RoleOffice, "51", "bench")
	if err != nil {
		return res, err
	}
	orgTokens := map[string]string{}
	for _, s := range p.Stations {
		if _, ok := orgTokens[s.OrganisationID.String()]; !ok {
			tok, _, err := o.Store.CreateToken(ctx, "bench", auth.RoleOrg, s.OrganisationID.String(), "bench")
			if err != nil {
				return res, err
			}
			orgTokens[s.OrganisationID.String()] = tok
		}
	}
	tasks, err := o.Store.OpenCycleTasks(ctx, cycleID, flow.KindSelfAssessment)
	if err != nil {
		return res, err
	}
	owner := map[string]string{}
	for _, s := range p.Stations {
		owner[s.ID.String()] = orgTokens[s.OrganisationID.String()]
	}
	form := TaskForm(o.Rubric, flow.KindSelfAssessment)
	httpc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: o.Concurrency}}
	call := func(method, path, token string, body []byte) (time.Duration, bool) {
		req, err := http.NewRequestWithContext(ctx, method, baseURL+path, bytes.NewReader(body))
		if err != nil {
			return 0, false
		}
		req.Header.Set("Authorization", "Bearer "+token)
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		start := time.Now()
		resp, err := httpc.Do(req)
		d := time.Since(start)
		if err != nil {
			return d, false
		}
		resp.Body.Close()
		return d, resp.StatusCode == http.StatusOK
	}

	lctx, stop := context.WithTimeout(ctx, bound)
	defer stop()
	var mu sync.Mutex
	var readLat, doneLat []time.Duration
	var readErr, doneErr int
	var wg sync.WaitGroup
	workers := max(o.Concurrency/2, 1)
	readsEach := max(reads/workers, 1)
	for range workers {
		wg.Go(func() {
			for range readsEach {
				if lctx.Err() != nil {
					return
				}
				s := p.Stations[rand.IntN(len(p.Stations))]
				d, ok := call(http.MethodGet, "/v1/stations/"+s.ID.String(), office, nil)
				mu.Lock()
				readLat = append(readLat, d)
				if !ok {
					readErr++
				}
				mu.Unlock()
			}
		})
	}
	next := make(chan int)
	go func() {
		defer close(next)
		for i := range tasks {
			select {
			case next <- i:
			case <-lctx.Done():
				return
			}
		}
	}()
	for range workers {
		wg.Go(func() {
			for i := range next {
				t := tasks[i]
				d, ok := call(http.MethodPost, "/v1/tasks/"+t.ID.String()+"/complete", owner[t.StationID.String()], form)
				mu.Lock()
				doneLat = append(doneLat, d)
				if !ok {
					doneErr++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	res.Reads, res.Completions = summarise(readLat, readErr), summarise(doneLat, doneErr)
	o.printf("while the cycle runs: GET /v1/stations/{id}: %s\n", res.Reads)
	o.printf("while the cycle runs: POST /v1/tasks/{id}/complete: %s\n", res.Completions)

	// The baseline: as many Update round trips on bare workflows, one
	// workflow per worker, same concurrency.
	var bareLat []time.Duration
	bareErr := 0
	for w := range workers {
		wid := fmt.Sprintf("bare-update/%s/%d", cycleID, w)
		if _, err := o.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: wid, TaskQueue: o.TaskQueue}, BareUpdateWorkflow); err != nil {
			return res, err
		}
	}
	n := max(len(doneLat)/workers, 1)
	for w := range workers {
		wid := fmt.Sprintf("bare-update/%s/%d", cycleID, w)
		wg.Go(func() {
			for i := range n {
				start := time.Now()
				h, err := o.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: wid, UpdateName: PingUpdate,
					UpdateID: fmt.Sprint(i), Args: []any{"ping"}, WaitForStage: client.WorkflowUpdateStageCompleted})
				if err == nil {
					err = h.Get(ctx, nil)
				}
				d := time.Since(start)
				mu.Lock()
				bareLat = append(bareLat, d)
				if err != nil {
					bareErr++
				}
				mu.Unlock()
			}
			_ = o.Client.SignalWorkflow(ctx, wid, "", BareSignal, nil)
		})
	}
	wg.Wait()
	res.BareUpdates = summarise(bareLat, bareErr)
	o.printf("baseline: bare Temporal Update round trip: %s\n", res.BareUpdates)
	return res, nil
}
