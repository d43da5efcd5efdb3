package devserver_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/stationflow/stationflow/internal/devserver"
	"github.com/stationflow/stationflow/internal/devstack"
)

// The throughput benchmark drives the embedded server the way stationflow
// does: an SDK worker in the same process, clients over gRPC on loopback.
//
//	go test -run '^$' -bench . -benchtime 5s ./internal/devserver/
//
// Sub-cases per persistence:
//   - start-complete: workflows started and completed per second, each
//     running one trivial activity, with 50 concurrent starters.
//   - signals: signals sent by 50 concurrent senders to 100 running
//     workflows, counted when every workflow has received all of its
//     signals.
//   - updates: Updates completed per second (each one round trip through a
//     workflow task) by 50 concurrent callers across 100 workflows.
//
// STATIONFLOW_BENCH_DEFAULT_JOURNAL=1 adds a SQLite case with the default
// rollback journal, for comparison. STATIONFLOW_BENCH_DYNAMIC_CONFIG adds
// dynamic config (JSON object) to every case.
//
// The PostgreSQL case creates and drops a throwaway database pair on
// STATIONFLOW_TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/
// postgres); it is skipped when PostgreSQL is unreachable.

const (
	benchTaskQueue   = "devserver-bench"
	benchConcurrency = 50
	benchWorkflows   = 100
)

func benchActivity(_ context.Context, n int) (int, error) { return n + 1, nil }

func benchOneActivity(ctx workflow.Context, n int) (int, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: time.Minute})
	var out int
	err := workflow.ExecuteActivity(ctx, "bench-activity", n).Get(ctx, &out)
	return out, err
}

// benchSignalTarget counts "ping" signals until one carries stop=true.
func benchSignalTarget(ctx workflow.Context) (int, error) {
	ch := workflow.GetSignalChannel(ctx, "ping")
	count := 0
	for {
		var stop bool
		ch.Receive(ctx, &stop)
		if stop {
			return count, nil
		}
		count++
	}
}

// benchUpdateTarget answers "inc" Updates until it is signalled to stop.
func benchUpdateTarget(ctx workflow.Context) (int, error) {
	count, done := 0, false
	if err := workflow.SetUpdateHandler(ctx, "inc", func(ctx workflow.Context) (int, error) {
		count++
		return count, nil
	}); err != nil {
		return 0, err
	}
	workflow.Go(ctx, func(ctx workflow.Context) {
		workflow.GetSignalChannel(ctx, "stop").Receive(ctx, nil)
		done = true
	})
	err := workflow.Await(ctx, func() bool { return done && workflow.AllHandlersFinished(ctx) })
	return count, err
}

type benchPersistence struct {
	name  string
	setup func(b *testing.B) devserver.Options // returns Options with persistence set
}

func BenchmarkWorkflowThroughput(b *testing.B) {
	cases := []benchPersistence{
		{"sqlite-file", func(b *testing.B) devserver.Options { return devserver.Options{DataDir: b.TempDir()} }},
		{"sqlite-memory", func(b *testing.B) devserver.Options { return devserver.Options{} }},
		{"postgres", benchPostgres},
	}
	if os.Getenv("STATIONFLOW_BENCH_DEFAULT_JOURNAL") != "" {
		// For comparison only: SQLite's default rollback journal with
		// synchronous=full, instead of wal + synchronous=normal.
		cases = append(cases, benchPersistence{"sqlite-file-default-journal", func(b *testing.B) devserver.Options {
			devserver.UseDefaultSQLiteJournal(b)
			return devserver.Options{DataDir: b.TempDir()}
		}})
	}
	for _, p := range cases {
		b.Run(p.name, func(b *testing.B) {
			o := p.setup(b)
			o.DynamicConfig = benchDynamicConfig(b)
			o.Namespace = "stationflow"
			logs := newCountingHandler(b)
			o.Logger = slog.New(logs)
			c := startBenchStack(b, o)

			var round atomic.Int64
			prefix := func(kind string) string {
				return fmt.Sprintf("%s-%d-%d", kind, time.Now().UnixNano(), round.Add(1))
			}
			b.Run("start-complete", func(b *testing.B) { logs.report(b, func() { benchStartComplete(b, c, prefix("wf")) }) })
			b.Run("signals", func(b *testing.B) { logs.report(b, func() { benchSignals(b, c, prefix("sig")) }) })
			b.Run("updates", func(b *testing.B) { logs.report(b, func() { benchUpdates(b, c, prefix("upd")) }) })
		})
	}
}

// startBenchStack starts the server o describes with a plain SDK worker
// (no payload codec: the server's cost is measured, not stationflow's)
// running the bench workflows, and stops both when b ends.
func startBenchStack(b *testing.B, o devserver.Options) client.Client {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := devstack.Start(ctx, devstack.Options{Server: o, Worker: devstack.WorkerOptions{TaskQueue: benchTaskQueue,
		SDK: worker.Options{MaxConcurrentWorkflowTaskPollers: 8, MaxConcurrentActivityTaskPollers: 8},
		Register: func(r worker.Registry) {
			r.RegisterWorkflowWithOptions(benchOneActivity, workflow.RegisterOptions{Name: "bench-one-activity"})
			r.RegisterWorkflowWithOptions(benchSignalTarget, workflow.RegisterOptions{Name: "bench-signal-target"})
			r.RegisterWorkflowWithOptions(benchUpdateTarget, workflow.RegisterOptions{Name: "bench-update-target"})
			r.RegisterActivityWithOptions(benchActivity, activity.RegisterOptions{Name: "bench-activity"})
		}}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(s.Close)
	return s.Client
}

// countingHandler counts the server's warnings and errors, reported per
// sub-case as srv-warns and srv-errors, instead of interleaving them with
// the benchmark results. STATIONFLOW_BENCH_LOG=<file> also writes them there.
type countingHandler struct {
	warns, errs *atomic.Int64
	next        slog.Handler
}

func newCountingHandler(b *testing.B) countingHandler {
	h := countingHandler{warns: new(atomic.Int64), errs: new(atomic.Int64)}
	if path := os.Getenv("STATIONFLOW_BENCH_LOG"); path != "" {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = f.Close() })
		h.next = slog.NewTextHandler(f, &slog.HandlerOptions{Level: slog.LevelWarn})
	}
	return h
}

func (h countingHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelWarn }

func (h countingHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level >= slog.LevelError {
		h.errs.Add(1)
	} else {
		h.warns.Add(1)
	}
	if h.next != nil {
		return h.next.Handle(ctx, r)
	}
	return nil
}

func (h countingHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	if h.next != nil {
		h.next = h.next.WithAttrs(attrs)
	}
	return h
}

func (h countingHandler) WithGroup(name string) slog.Handler {
	if h.next != nil {
		h.next = h.next.WithGroup(name)
	}
	return h
}

// report runs one sub-case and reports the server log records it caused.
func (h countingHandler) report(b *testing.B, run func()) {
	w0, e0 := h.warns.Load(), h.errs.Load()
	run()
	b.ReportMetric(float64(h.warns.Load()-w0), "srv-warns")
	b.ReportMetric(float64(h.errs.Load()-e0), "srv-errors")
}

// benchDynamicConfig reads extra dynamic config for experiments from
// STATIONFLOW_BENCH_DYNAMIC_CONFIG, a JSON object such as
// {"history.shardIOConcurrency": 4}.
func benchDynamicConfig(b *testing.B) map[string]any {
	raw := os.Getenv("STATIONFLOW_BENCH_DYNAMIC_CONFIG")
	if raw == "" {
		return nil
	}
	var dc map[string]any
	if err := json.Unmarshal([]byte(raw), &dc); err != nil {
		b.Fatalf("STATIONFLOW_BENCH_DYNAMIC_CONFIG: %v", err)
	}
	for k, v := range dc {
		if f, ok := v.(float64); ok && f == float64(int(f)) {
			dc[k] = int(f) // integer settings do not accept float64
		}
	}
	return dc
}

// parallel runs fn(i) for i in [0, n) on benchConcurrency goroutines and
// returns the first error.
func parallel(n int, fn func(i int) error) error {
	var next atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	for range benchConcurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if err := fn(i); err != nil {
					once.Do(func() { firstErr = err })
					next.Store(int64(n)) // stop the others
					return
				}
			}
		}()
	}
	wg.Wait()
	return firstErr
}

func reportLatencies(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}

func benchStartComplete(b *testing.B, c client.Client, prefix string) {
	ctx := context.Background()
	lat := make([]time.Duration, b.N)
	b.ResetTimer()
	begin := time.Now()
	err := parallel(b.N, func(i int) error {
		t0 := time.Now()
		run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
			ID:        fmt.Sprintf("%s-%d", prefix, i),
			TaskQueue: benchTaskQueue,
		}, "bench-one-activity", i)
		if err != nil {
			return err
		}
		var out int
		if err := run.Get(ctx, &out); err != nil {
			return err
		}
		if out != i+1 {
			return fmt.Errorf("workflow %d returned %d", i, out)
		}
		lat[i] = time.Since(t0)
		return nil
	})
	elapsed := time.Since(begin)
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "workflows/s")
	reportLatencies(b, lat)
}

// startTargets starts benchWorkflows long-running workflows of the given type.
func startTargets(b *testing.B, c client.Client, prefix, workflowType string) []client.WorkflowRun {
	runs := make([]client.WorkflowRun, benchWorkflows)
	err := parallel(benchWorkflows, func(i int) error {
		run, err := c.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{
			ID:        fmt.Sprintf("%s-%d", prefix, i),
			TaskQueue: benchTaskQueue,
		}, workflowType)
		runs[i] = run
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	return runs
}

func benchSignals(b *testing.B, c client.Client, prefix string) {
	ctx := context.Background()
	runs := startTargets(b, c, prefix, "bench-signal-target")
	lat := make([]time.Duration, b.N)
	b.ResetTimer()
	begin := time.Now()
	err := parallel(b.N, func(i int) error {
		t0 := time.Now()
		err := c.SignalWorkflow(ctx, runs[i%benchWorkflows].GetID(), "", "ping", false)
		lat[i] = time.Since(t0)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	sent := time.Since(begin)
	// Count a signal when its workflow has processed it: stop every target
	// (the stop signal is ordered after its pings) and wait for the counts.
	var total atomic.Int64
	err = parallel(benchWorkflows, func(i int) error {
		if err := c.SignalWorkflow(ctx, runs[i].GetID(), "", "ping", true); err != nil {
			return err
		}
		var n int
		if err := runs[i].Get(ctx, &n); err != nil {
			return err
		}
		total.Add(int64(n))
		return nil
	})
	elapsed := time.Since(begin)
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	if total.Load() != int64(b.N) {
		b.Fatalf("workflows received %d signals, sent %d", total.Load(), b.N)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "signals/s")
	b.ReportMetric(float64(b.N)/sent.Seconds(), "accepted-signals/s")
	reportLatencies(b, lat)
}

func benchUpdates(b *testing.B, c client.Client, prefix string) {
	ctx := context.Background()
	runs := startTargets(b, c, prefix, "bench-update-target")
	lat := make([]time.Duration, b.N)
	b.ResetTimer()
	begin := time.Now()
	err := parallel(b.N, func(i int) error {
		t0 := time.Now()
		h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
			WorkflowID:   runs[i%benchWorkflows].GetID(),
			UpdateName:   "inc",
			WaitForStage: client.WorkflowUpdateStageCompleted,
		})
		if err != nil {
			return err
		}
		var n int
		if err := h.Get(ctx, &n); err != nil {
			return err
		}
		lat[i] = time.Since(t0)
		return nil
	})
	elapsed := time.Since(begin)
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "updates/s")
	reportLatencies(b, lat)

	var total atomic.Int64
	err = parallel(benchWorkflows, func(i int) error {
		if err := c.SignalWorkflow(ctx, runs[i].GetID(), "", "stop", nil); err != nil {
			return err
		}
		var n int
		err := runs[i].Get(ctx, &n)
		total.Add(int64(n))
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	if total.Load() != int64(b.N) {
		b.Fatalf("workflows counted %d updates, sent %d", total.Load(), b.N)
	}
}

// benchPostgres is the PostgreSQL case; it is skipped when the server is
// unreachable.
func benchPostgres(b *testing.B) devserver.Options {
	url, err := devserver.ThrowawayPostgres(b)
	if err != nil {
		b.Skip(err)
	}
	return devserver.Options{PostgresURL: url}
}
