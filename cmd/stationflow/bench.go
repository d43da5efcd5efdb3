package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"time"

	"github.com/stationflow/stationflow/internal/bench"
	"github.com/stationflow/stationflow/internal/codec"
	"github.com/stationflow/stationflow/internal/devserver"
	"github.com/stationflow/stationflow/internal/store"
	"github.com/stationflow/stationflow/worker"
	"github.com/stationflow/stationflow/workflows"
)

// runBench measures an annual evaluation cycle on a fresh embedded
// Temporal server and a fresh database of its own (dropped at the end):
// the cycle's fan-out against as many bare SignalWithStart workflows, the
// cycle run to its end, and one station simulated over ten years. The
// last line printed is the ratio of the cycle's fan-out to the baseline.
func runBench(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "cycle" {
		return errors.New("usage: stationflow bench cycle [--stations N] [--complete] [--years N]")
	}
	fs, cfg := flags("bench cycle", "measure an annual evaluation cycle against a bare SignalWithStart baseline")
	stations := fs.Int("stations", 4451, "operating stations in the synthetic province")
	complete := fs.Bool("complete", true, "drive every station's evaluation to its end (self-assessment, two evaluations, renewal)")
	years := fs.Int("years", 10, "years one extra station is simulated over, to measure its workflow history; 0: skip")
	concurrency := fs.Int("concurrency", 32, "concurrent calls of the driver and the baseline")
	keep := fs.Bool("keep-database", false, "keep the bench database instead of dropping it")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *stations < 1 || *stations > 99*500 {
		return fmt.Errorf("--stations must be from 1 to %d", 99*500)
	}
	if cfg.Workday == 0 {
		cfg.Workday = 10 * time.Millisecond // appeal windows and deadlines pass quickly
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if cfg.LogLevel == "debug" {
		logger = newLogger("warn")
	}

	u, err := url.Parse(cfg.DatabaseURL)
	if err != nil {
		return fmt.Errorf("--database-url: %w", err)
	}
	u.Path = fmt.Sprintf("/stationflow_bench_%d", time.Now().UnixNano())
	cfg.DatabaseURL = u.String()
	st, err := openStore(ctx, cfg, true, logger)
	if err != nil {
		return err
	}
	defer func() {
		st.Close()
		if !*keep {
			if err := store.DropDatabase(context.Background(), cfg.DatabaseURL); err != nil {
				fmt.Fprintln(stdout, "dropping the bench database:", err)
			}
		}
	}()

	srv, err := devserver.Start(ctx, devserver.Options{Namespace: cfg.Namespace, SearchAttributes: workflows.SearchAttributes(), Logger: logger})
	if err != nil {
		return err
	}
	defer func() { _ = srv.Stop() }()
	key, err := codec.GenerateKey()
	if err != nil {
		return err
	}
	c, err := worker.Dial(ctx, worker.ClientOptions{HostPort: srv.FrontendAddress(), Namespace: cfg.Namespace, Keys: []codec.Key{key}, Logger: logger})
	if err != nil {
		return err
	}
	defer c.Close()

	acts, err := newActivities(cfg, st, logger)
	if err != nil {
		return err
	}
	acts.Temporal, acts.TaskQueue, acts.QuarterWorkdays = c, "bench", 1_000_000 // no quarter ends during the cycle
	w := worker.New(c, acts.TaskQueue, acts)
	w.RegisterWorkflow(bench.BareWorkflow)
	if err := w.Start(); err != nil {
		return err
	}
	defer w.Stop()
	rb, err := acts.Rubrics.Latest("annual_evaluation")
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "bench cycle: %d stations, scaled working day %s, embedded Temporal at %s\n", *stations, cfg.Workday, srv.FrontendAddress())
	res, err := bench.Run(ctx, bench.Options{Client: c, Store: st, TaskQueue: acts.TaskQueue, Rubric: rb, Stations: *stations,
		Complete: *complete, Concurrency: *concurrency, Out: stdout})
	if err != nil {
		return err
	}

	if *years > 0 {
		decadeActs := *acts
		decadeActs.TaskQueue, decadeActs.QuarterWorkdays = "bench-decade", 3
		dw := worker.New(c, decadeActs.TaskQueue, &decadeActs)
		if err := dw.Start(); err != nil {
			return err
		}
		defer dw.Stop()
		p, err := bench.WriteProvince(ctx, st, "52", 1, time.Date(time.Now().Year(), 1, 1, 0, 0, 0, 0, time.UTC))
		if err != nil {
			return err
		}
		d, err := bench.Decade(ctx, c, st, &decadeActs, decadeActs.TaskQueue, p.Stations[0], *years)
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
