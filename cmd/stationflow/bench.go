//go:build dev

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"time"

	sdkworker "go.temporal.io/sdk/worker"

	"github.com/stationflow/stationflow/activities"
	"github.com/stationflow/stationflow/api"
	"github.com/stationflow/stationflow/internal/bench"
	"github.com/stationflow/stationflow/internal/codec"
	"github.com/stationflow/stationflow/internal/config"
	"github.com/stationflow/stationflow/internal/devserver"
	"github.com/stationflow/stationflow/internal/devstack"
	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/store"
)

// runBench measures on a fresh embedded Temporal server and a database of
// its own (dropped at the end):
//   - bench cycle: an annual cycle's fan-out against as many bare
//     SignalWithStart workflows, the cycle run to its end, and one station
//     simulated over ten years; the last line is the fan-out's ratio to
//     the baseline;
//   - bench load: station reads and task completions over HTTP while a
//     cycle runs, against a bare Temporal Update round trip; the last
//     line is the completions' ratio to the baseline.
func runBench(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) > 0 && args[0] == "cycle" {
		return benchCycle(ctx, args[1:], stdout)
	}
	if len(args) > 0 && args[0] == "load" {
		return benchLoad(ctx, args[1:], stdout)
	}
	return errors.New("usage: stationflow bench cycle [--stations N] | stationflow bench load [--stations N] [--reads N]")
}

// benchStack is what a bench runs on: stationflow on the shared harness,
// with a database of its own.
type benchStack struct {
	*devstack.Stack
	cfg     *config.Config
	store   *store.Store
	acts    *activities.Activities
	closers []func()
}

func (b *benchStack) close() {
	if b.Stack != nil {
		b.Stack.Close()
	}
	for i := len(b.closers) - 1; i >= 0; i-- {
		b.closers[i]()
	}
}

// benchFlags registers the flags every bench shares.
type benchFlags struct {
	stations, concurrency *int
	keep                  *bool
}

func addBenchFlags(fs *flag.FlagSet, stations int) benchFlags {
	return benchFlags{
		stations:    fs.Int("stations", stations, "operating stations in the synthetic province"),
		concurrency: fs.Int("concurrency", 32, "concurrent calls of the driver and the baseline"),
		keep:        fs.Bool("keep-database", false, "keep the bench database instead of dropping it"),
	}
}

// openBenchStack starts a fresh database, the embedded server (unless
// --temporal-address names a cluster) and a worker with the bare baselines
// registered, and gives the bench's options.
func openBenchStack(ctx context.Context, cfg *config.Config, f benchFlags, stdout io.Writer) (_ *benchStack, _ bench.Options, err error) {
	if *f.stations < 1 || *f.stations > 99*500 {
		return nil, bench.Options{}, fmt.Errorf("--stations must be from 1 to %d", 99*500)
	}
	if cfg.Workday == 0 {
		cfg.Workday = 10 * time.Millisecond // appeal windows and deadlines pass quickly
	}
	logger := slog.New(slog.DiscardHandler)
	if cfg.LogLevel == "debug" {
		logger = newLogger("warn")
	}
	b := &benchStack{cfg: cfg}
	defer func() {
		if err != nil {
			b.close()
		}
	}()
	if err := b.openDatabase(ctx, *f.keep, logger, stdout); err != nil {
		return nil, bench.Options{}, err
	}
	if err := b.startTemporal(ctx, logger); err != nil {
		return nil, bench.Options{}, err
	}
	rb, err := b.acts.Rubrics.Latest("annual_evaluation")
	if err != nil {
		return nil, bench.Options{}, err
	}
	where := "embedded Temporal"
	if b.Server == nil {
		where = "external Temporal"
	}
	fmt.Fprintf(stdout, "bench: %d stations, scaled working day %s, %s at %s\n", *f.stations, cfg.Workday, where, b.HostPort)
	return b, bench.Options{Client: b.Client, Store: b.store, TaskQueue: b.acts.TaskQueue, Rubric: rb, Stations: *f.stations,
		Concurrency: *f.concurrency, Out: stdout}, nil
}

// openDatabase creates and migrates a database of the bench's own beside
// the one --database-url names, dropped at close unless kept.
func (b *benchStack) openDatabase(ctx context.Context, keep bool, logger *slog.Logger, stdout io.Writer) error {
	cfg := b.cfg
	u, err := url.Parse(cfg.DatabaseURL)
	if err != nil {
		return fmt.Errorf("--database-url: %w", err)
	}
	u.Path = fmt.Sprintf("/stationflow_bench_%d", time.Now().UnixNano())
	cfg.DatabaseURL = u.String()
	if b.store, err = openStore(ctx, cfg, true, logger); err != nil {
		return err
	}
	b.closers = append(b.closers, func() {
		b.store.Close()
		if !keep {
			if err := store.DropDatabase(context.Background(), cfg.DatabaseURL); err != nil {
				fmt.Fprintln(stdout, "dropping the bench database:", err)
			}
		}
	})
	return nil
}

// startTemporal runs the bench's worker on the harness. With
// --temporal-address that is the cluster named, whose namespace must
// already carry stationflow's search attributes. Otherwise it embeds a
// server whose state goes to a file (as under dev), not memory: a national
// cycle's histories would not fit in memory.
func (b *benchStack) startTemporal(ctx context.Context, logger *slog.Logger) error {
	cfg := b.cfg
	o := devstack.Options{HostPort: cfg.TemporalAddress, Namespace: cfg.Namespace, Logger: logger}
	if o.HostPort == "" {
		dir, err := os.MkdirTemp("", "stationflow-bench-")
		if err != nil {
			return err
		}
		b.closers = append(b.closers, func() { _ = os.RemoveAll(dir) })
		o.Server = devserver.Options{DataDir: dir, Namespace: cfg.Namespace, SearchAttributes: flow.SearchAttributes(), Logger: logger}
	}
	key, err := codec.GenerateKey()
	if err != nil {
		return err
	}
	o.Keys = []codec.Key{key}
	if b.acts, err = newActivities(cfg, b.store, logger); err != nil {
		return err
	}
	b.acts.QuarterWorkdays = 1_000_000 // no quarter ends during the cycle
	o.Worker = devstack.WorkerOptions{TaskQueue: "bench", Activities: b.acts, Register: func(r sdkworker.Registry) {
		r.RegisterWorkflow(bench.BareWorkflow)
		r.RegisterWorkflow(bench.BareUpdateWorkflow)
	}}
	b.Stack, err = devstack.Start(ctx, o)
	return err
}

func benchCycle(ctx context.Context, args []string, stdout io.Writer) error {
	fs, cfg := flags("bench cycle", "measure an annual evaluation cycle against a bare SignalWithStart baseline")
	f := addBenchFlags(fs, 4451)
	complete := fs.Bool("complete", true, "drive every station's evaluation to its end (self-assessment, two evaluations, renewal)")
	years := fs.Int("years", 10, "years one extra station is simulated over, to measure its workflow history; 0: skip")
	if err := fs.Parse(args); err != nil {
		return err
	}
	b, o, err := openBenchStack(ctx, cfg, f, stdout)
	if err != nil {
		return err
	}
	defer b.close()
	o.Complete = *complete
	res, err := bench.Run(ctx, o)
	if err != nil {
		return err
	}
	if *years > 0 {
		decadeActs := *b.acts
		decadeActs.QuarterWorkdays = 3
		if _, err := b.StartWorker(devstack.WorkerOptions{TaskQueue: "bench-decade", Activities: &decadeActs}); err != nil {
			return err
		}
		p, err := bench.WriteProvince(ctx, b.store, "52", 1, time.Date(time.Now().Year(), 1, 1, 0, 0, 0, 0, time.UTC))
		if err != nil {
			return err
		}
		d, err := bench.Decade(ctx, b.Client, b.store, &decadeActs, decadeActs.TaskQueue, p.Stations[0], *years)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "one station over %d years: %d quarters supervised, %d runs, largest run %d events (limit 4096), %d events in all\n",
			d.Years, d.Quarters, d.Runs, d.Largest, d.Total)
		res.LargestCycle = max(res.LargestCycle, d.Largest)
	}
	fmt.Fprintf(stdout, "largest workflow history: %d events\n", res.LargestCycle)
	if res.ToTheEnd > 0 {
		fmt.Fprintf(stdout, "cycle to the end: %d stations in %s (%.1f stations/s), %d failed\n", res.Stations, res.ToTheEnd.Round(time.Millisecond),
			float64(res.Stations)/res.ToTheEnd.Seconds(), res.Failed)
	}
	fmt.Fprintf(stdout, "cycle fan-out %s vs %d bare SignalWithStart %s: ratio %.2f\n", res.Cycle.Round(time.Millisecond), res.Stations,
		res.Bare.Round(time.Millisecond), res.Ratio())
	return nil
}

func benchLoad(ctx context.Context, args []string, stdout io.Writer) error {
	fs, cfg := flags("bench load", "station reads and task completions over HTTP while a cycle runs, against a bare Update round trip")
	f := addBenchFlags(fs, 500)
	reads := fs.Int("reads", 20000, "GET /v1/stations/{id} requests at most")
	bound := fs.Duration("max-time", 5*time.Minute, "time bound of the load phase")
	if err := fs.Parse(args); err != nil {
		return err
	}
	b, o, err := openBenchStack(ctx, cfg, f, stdout)
	if err != nil {
		return err
	}
	defer b.close()
	ln, err := net.Listen("tcp", "127.0.0.1:0") // loopback only
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: (&api.Server{Store: b.store, Temporal: b.Client, TaskQueue: b.acts.TaskQueue,
		Logger: slog.New(slog.DiscardHandler), Rubrics: b.acts.Rubrics, Workday: cfg.Workday}).Router(), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	res, err := bench.Load(ctx, o, "http://"+ln.Addr().String(), *reads, *bound)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "task completion p50 %s vs bare Update round trip p50 %s: ratio %.2f\n", res.Completions.P50.Round(10*time.Microsecond),
		res.BareUpdates.P50.Round(10*time.Microsecond), res.Ratio())
	return nil
}
