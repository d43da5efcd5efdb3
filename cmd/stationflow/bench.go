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

	"go.temporal.io/sdk/client"

	"github.com/stationflow/stationflow/activities"
	"github.com/stationflow/stationflow/api"
	"github.com/stationflow/stationflow/internal/bench"
	"github.com/stationflow/stationflow/internal/codec"
	"github.com/stationflow/stationflow/internal/config"
	"github.com/stationflow/stationflow/internal/devserver"
	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/store"
	"github.com/stationflow/stationflow/worker"
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

// benchStack is what a bench runs on.
type benchStack struct {
	cfg     *config.Config
	store   *store.Store
	client  client.Client
	acts    *activities.Activities
	closers []func()
}

func (b *benchStack) close() {
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

// openBenchStack starts the embedded server, a fresh database and a worker
// with the bare baselines registered, and gives the bench's options.
func openBenchStack(ctx context.Context, cfg *config.Config, f benchFlags, stdout io.Writer) (*benchStack, bench.Options, error) {
	var o bench.Options
	if *f.stations < 1 || *f.stations > 99*500 {
		return nil, o, fmt.Errorf("--stations must be from 1 to %d", 99*500)
	}
	if cfg.Workday == 0 {
		cfg.Workday = 10 * time.Millisecond // appeal windows and deadlines pass quickly
	}
	logger := slog.New(slog.DiscardHandler)
	if cfg.LogLevel == "debug" {
		logger = newLogger("warn")
	}
	b := &benchStack{cfg: cfg}
	u, err := url.Parse(cfg.DatabaseURL)
	if err != nil {
		return nil, o, fmt.Errorf("--database-url: %w", err)
	}
	u.Path = fmt.Sprintf("/stationflow_bench_%d", time.Now().UnixNano())
	cfg.DatabaseURL = u.String()
	if b.store, err = openStore(ctx, cfg, true, logger); err != nil {
		return nil, o, err
	}
	b.closers = append(b.closers, func() {
		b.store.Close()
		if !*f.keep {
			if err := store.DropDatabase(context.Background(), cfg.DatabaseURL); err != nil {
				fmt.Fprintln(stdout, "dropping the bench database:", err)
			}
		}
	})
	fail := func(err error) (*benchStack, bench.Options, error) { b.close(); return nil, o, err }
	// With --temporal-address the bench runs against that cluster, whose
	// namespace must already carry stationflow's search attributes.
	// Otherwise it embeds a server whose state goes to a file (as under
	// dev), not memory: a national cycle's histories would not fit in memory.
	hostPort, where := cfg.TemporalAddress, "external Temporal"
	if hostPort == "" {
		dir, err := os.MkdirTemp("", "stationflow-bench-")
		if err != nil {
			return fail(err)
		}
		b.closers = append(b.closers, func() { _ = os.RemoveAll(dir) })
		srv, err := devserver.Start(ctx, devserver.Options{DataDir: dir, Namespace: cfg.Namespace, SearchAttributes: flow.SearchAttributes(),
			Logger: logger})
		if err != nil {
			return fail(err)
		}
		b.closers = append(b.closers, func() { _ = srv.Stop() })
		hostPort, where = srv.FrontendAddress(), "embedded Temporal"
	}
	key, err := codec.GenerateKey()
	if err != nil {
		return fail(err)
	}
	if b.client, err = worker.Dial(ctx, worker.ClientOptions{HostPort: hostPort, Namespace: cfg.Namespace,
		Keys: []codec.Key{key}, Logger: logger}); err != nil {
		return fail(err)
	}
	b.closers = append(b.closers, b.client.Close)
	if b.acts, err = newActivities(cfg, b.store, logger); err != nil {
		return fail(err)
	}
	b.acts.Temporal, b.acts.TaskQueue, b.acts.QuarterWorkdays = b.client, "bench", 1_000_000 // no quarter ends during the cycle
	w := worker.New(b.client, b.acts.TaskQueue, b.acts)
	w.RegisterWorkflow(bench.BareWorkflow)
	w.RegisterWorkflow(bench.BareUpdateWorkflow)
	if err := w.Start(); err != nil {
		return fail(err)
	}
	b.closers = append(b.closers, w.Stop)
	rb, err := b.acts.Rubrics.Latest("annual_evaluation")
	if err != nil {
		return fail(err)
	}
	fmt.Fprintf(stdout, "bench: %d stations, scaled working day %s, %s at %s\n", *f.stations, cfg.Workday, where, hostPort)
	return b, bench.Options{Client: b.client, Store: b.store, TaskQueue: b.acts.TaskQueue, Rubric: rb, Stations: *f.stations,
		Concurrency: *f.concurrency, Out: stdout}, nil
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
		decadeActs.TaskQueue, decadeActs.QuarterWorkdays = "bench-decade", 3
		dw := worker.New(b.client, decadeActs.TaskQueue, &decadeActs)
		if err := dw.Start(); err != nil {
			return err
		}
		defer dw.Stop()
		p, err := bench.WriteProvince(ctx, b.store, "52", 1, time.Date(time.Now().Year(), 1, 1, 0, 0, 0, 0, time.UTC))
		if err != nil {
			return err
		}
		d, err := bench.Decade(ctx, b.client, b.store, &decadeActs, decadeActs.TaskQueue, p.Stations[0], *years)
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
	srv := &http.Server{Handler: (&api.Server{Store: b.store, Temporal: b.client, TaskQueue: b.acts.TaskQueue,
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
