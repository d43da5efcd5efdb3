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
	"os"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/stationflow/stationflow/activities"
	"github.com/stationflow/stationflow/api"
	"github.com/stationflow/stationflow/internal/calendar"
	"github.com/stationflow/stationflow/internal/codec"
	"github.com/stationflow/stationflow/internal/config"
	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/notify"
	"github.com/stationflow/stationflow/internal/rubric"
	"github.com/stationflow/stationflow/internal/store"
	"github.com/stationflow/stationflow/schemas"
	"github.com/stationflow/stationflow/worker"
)

func flags(name, summary string) (*flag.FlagSet, *config.Config) {
	fs := flag.NewFlagSet("stationflow "+name, flag.ContinueOnError)
	cfg := config.Bind(fs)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "stationflow %s: %s\n\nflags (each with its environment variable):\n", name, summary)
		fs.PrintDefaults()
	}
	return fs, cfg
}

// openStore connects to PostgreSQL and applies migrations.
func openStore(ctx context.Context, cfg *config.Config, create bool, logger *slog.Logger) (*store.Store, error) {
	if create {
		if err := store.EnsureDatabase(ctx, cfg.DatabaseURL); err != nil {
			return nil, err
		}
	}
	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	res, err := st.Migrate(ctx)
	if err != nil {
		st.Close()
		return nil, err
	}
	if len(res.Applied) > 0 {
		logger.Info("database migrated", "applied", res.Applied, "version", res.Version)
	}
	if !res.Regions.Skipped {
		logger.Info("regions loaded", "data", res.Regions.Version, "changed", res.Regions.Changed)
	}
	return st, nil
}

// loadKeys reads the payload key: the key in the environment, else the key
// file. create makes a new key file when there is none (dev only, so that
// separate processes never invent different keys).
func loadKeys(cfg *config.Config, create bool) ([]codec.Key, error) {
	if cfg.CodecKey != "" {
		k, err := codec.ParseKey(cfg.CodecKey)
		if err != nil {
			return nil, fmt.Errorf("STATIONFLOW_CODEC_KEY: %w", err)
		}
		return []codec.Key{k}, nil
	}
	if create {
		k, _, err := codec.LoadOrCreateKeyFile(cfg.KeyFile())
		if err != nil {
			return nil, err
		}
		return []codec.Key{k}, nil
	}
	k, err := codec.LoadKey("", cfg.KeyFile())
	if err != nil {
		return nil, fmt.Errorf("payload key: %w (start `stationflow dev` once to create %s, or set STATIONFLOW_CODEC_KEY)", err, cfg.KeyFile())
	}
	return []codec.Key{k}, nil
}

// cursorKey is the key that signs the API's list cursors, derived from the
// payload key so that every API process holding it opens the others'
// cursors; with no payload key, nil (each process draws its own).
func cursorKey(keys []codec.Key) []byte {
	if len(keys) == 0 {
		return nil
	}
	return keys[0].Derive("api list cursor")
}

// needs says what a command must have before it runs.
type needs struct {
	createDB  bool // create the database when it is missing
	createKey bool // create the payload key file when it is missing (dev only)
	temporal  bool // a Temporal client
	// embedded starts the embedded Temporal server unless TEMPORAL_ADDRESS
	// is set; only the development build has one (see dev.go).
	embedded func(ctx context.Context, p *process) error
}

// process is what a command runs with; close releases it in reverse order.
type process struct {
	cfg     *config.Config
	logger  *slog.Logger
	store   *store.Store
	client  client.Client
	keys    []codec.Key
	closers []func()
	// up, when set, runs once the HTTP API listens: the last of start-up.
	up func(context.Context) error
}

func (p *process) close() {
	for i := len(p.closers) - 1; i >= 0; i-- {
		p.closers[i]()
	}
}

// start parses the command's flags (extra registers its own) and opens
// what the command needs: the migrated store, then, when asked, the
// payload key, the embedded Temporal server and a Temporal client.
func start(ctx context.Context, name, summary string, args []string, n needs, extra func(*flag.FlagSet)) (*process, error) {
	fs, cfg := flags(name, summary)
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	p := &process{cfg: cfg, logger: newLogger(cfg.LogLevel)}
	st, err := openStore(ctx, cfg, n.createDB, p.logger)
	if err != nil {
		return nil, err
	}
	p.store = st
	p.closers = append(p.closers, st.Close)
	if !n.temporal {
		return p, nil
	}
	if err := p.connect(ctx, n); err != nil {
		p.close()
		return nil, err
	}
	return p, nil
}

func (p *process) connect(ctx context.Context, n needs) error {
	cfg := p.cfg
	keys, err := loadKeys(cfg, n.createKey)
	if err != nil {
		return err
	}
	p.keys = keys
	if n.embedded != nil && cfg.TemporalAddress == "" {
		if err := n.embedded(ctx, p); err != nil {
			return err
		}
	}
	c, err := worker.Dial(ctx, worker.ClientOptions{HostPort: cfg.TemporalHostPort(), Namespace: cfg.Namespace, Keys: keys, Logger: p.logger})
	if err != nil {
		return err
	}
	p.client = c
	p.closers = append(p.closers, c.Close)
	return nil
}

func runWorker(ctx context.Context, args []string, stdout io.Writer) error {
	p, err := start(ctx, "worker", "Temporal worker and lifecycle reconciler", args, needs{temporal: true}, nil)
	if err != nil {
		return err
	}
	defer p.close()
	if err := worker.EnsureSearchAttributes(ctx, p.client, p.cfg.Namespace); err != nil {
		return err
	}
	return p.serve(ctx, true, false)
}

func runAPI(ctx context.Context, args []string, stdout io.Writer) error {
	p, err := start(ctx, "api", "HTTP API", args, needs{temporal: true}, nil)
	if err != nil {
		return err
	}
	defer p.close()
	return p.serve(ctx, false, true)
}

// serve runs the worker (with the reconciler) and/or the HTTP API until ctx
// ends, then shuts them down in order.
func (p *process) serve(ctx context.Context, runWorker, runAPI bool) error {
	cfg, st, c, logger := p.cfg, p.store, p.client, p.logger
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 2)
	if runWorker {
		acts, err := newActivities(cfg, st, logger)
		if err != nil {
			return err
		}
		acts.Temporal, acts.TaskQueue = c, cfg.TaskQueue
		w := worker.New(c, cfg.TaskQueue, acts)
		if err := w.Start(); err != nil {
			return fmt.Errorf("starting worker: %w", err)
		}
		defer w.Stop()
		rec := &worker.Reconciler{Store: st, Client: c, TaskQueue: cfg.TaskQueue, Logger: logger}
		go rec.Run(ctx)
		if cfg.WebhookURL != "" {
			go (&worker.Deliverer{Store: st, WebhookURL: cfg.WebhookURL, Logger: logger}).Run(ctx)
		}
		var mail *notify.SMTP
		if cfg.SMTPAddr != "" {
			mail = &notify.SMTP{Addr: cfg.SMTPAddr, From: cfg.SMTPFrom}
		}
		go (&notify.Dispatcher{Store: st, Mail: mail, Robots: &notify.Robots{}, Logger: logger}).Run(ctx)
		logger.Info("worker started", "task_queue", cfg.TaskQueue, "workday", cfg.Workday.String())
	}
	if runAPI {
		rubrics, err := rubric.Load(schemas.FS, "rubrics")
		if err != nil {
			return fmt.Errorf("rubrics: %w", err)
		}
		a := &api.Server{Store: st, Temporal: c, TaskQueue: cfg.TaskQueue, Logger: logger, RateLimit: float64(cfg.RateLimit),
			Rubrics: rubrics, Workday: cfg.Workday, MetricsOwnAddr: cfg.MetricsAddr != "", MetricsToken: cfg.MetricsToken,
			CursorKey: cursorKey(p.keys), WaitTimeout: cfg.WaitTimeout,
			SessionLimits: store.SessionLimits{Idle: cfg.SessionIdle, Absolute: cfg.SessionMax}, InsecureCookies: onLoopback(cfg.HTTPAddr)}
		stop, err := listen(logger, "API", a.HTTPServer(cfg.HTTPAddr), "--http-addr", errc)
		if err != nil {
			return err
		}
		defer stop()
		if cfg.MetricsAddr != "" {
			stop, err := listen(logger, "metrics", metricsServer(cfg.MetricsAddr, a.MetricsHandler()), "--metrics-addr", errc)
			if err != nil {
				return err
			}
			defer stop()
		}
		if p.up != nil {
			if err := p.up(ctx); err != nil {
				return err
			}
		}
	}
	select {
	case <-ctx.Done():
		logger.Info("shutting down")
		return nil
	case err := <-errc:
		return err
	}
}

// listen serves srv, the HTTP API or metrics (what), on its address until
// stop; an error of Serve goes to errc. flag names the setting of the
// address, for the error.
func listen(logger *slog.Logger, what string, srv *http.Server, flag string, errc chan<- error) (stop func(), err error) {
	ln, err := net.Listen("tcp", srv.Addr)
	if err != nil {
		return nil, fmt.Errorf("HTTP on %s: %w (use %s)", srv.Addr, err, flag)
	}
	go func() {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			errc <- err
		}
	}()
	logger.Info("HTTP "+what+" listening", "addr", "http://"+ln.Addr().String())
	fmt.Fprintf(os.Stderr, "stationflow is up: %s http://%s  (stop with Ctrl-C)\n", what, ln.Addr())
	return func() {
		sctx, scancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer scancel()
		_ = srv.Shutdown(sctx)
	}, nil
}

// metricsServer serves /metrics alone on addr, for Prometheus; any other
// path is 404.
func metricsServer(addr string, metrics http.Handler) *http.Server {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", metrics)
	return &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: 64 << 10}
}

// newActivities gives the activities their store, the working-day calendar
// (built in, extended by --calendar-dir) and each task kind's durations.
func newActivities(cfg *config.Config, st *store.Store, logger *slog.Logger) (*activities.Activities, error) {
	cal, err := calendar.LoadWithOverrides(schemas.FS, "calendar", cfg.CalendarDir)
	if err != nil {
		return nil, fmt.Errorf("working-day calendar: %w", err)
	}
	cal = cal.WithLogger(logger)
	policy := func(due int) flow.TaskPolicy {
		return flow.TaskPolicy{DueWorkdays: due, RemindWorkdaysBefore: cfg.RemindBefore, EscalateEveryWorkdays: cfg.EscalateEvery}
	}
	rubrics, err := rubric.Load(schemas.FS, "rubrics")
	if err != nil {
		return nil, fmt.Errorf("rubrics: %w", err)
	}
	if cfg.SupervisionRubric != "" {
		if _, err := rubrics.Get(cfg.SupervisionRubric); err != nil {
			return nil, fmt.Errorf("--supervision-rubric: %w", err)
		}
	}
	return &activities.Activities{Store: st, Logger: logger, Calendar: cal, Workday: cfg.Workday,
		Rubrics: rubrics, SupervisionRubric: cfg.SupervisionRubric, QuarterWorkdays: cfg.QuarterWorkdays,
		Policies: map[string]flow.TaskPolicy{
			flow.KindApplicationReview:    policy(cfg.ReviewDue),
			flow.KindApplicationAmendment: policy(cfg.AmendDue),
			flow.KindSupervision:          policy(cfg.SupervisionDue),
			flow.KindRectification:        policy(cfg.RectifyDue),
			flow.KindRectificationCheck:   policy(cfg.VerifyDue),
			flow.KindAnnualEvaluation:     policy(cfg.DecisionDue),
			flow.KindArbitration:          policy(cfg.DecisionDue),
			flow.KindRenewalDecision:      policy(cfg.DecisionDue),
			flow.KindAppealReview:         policy(cfg.DecisionDue),
		}}, nil
}

// onLoopback reports whether addr listens on a loopback address only: a
// development server reached over plain HTTP, whose session cookie cannot
// be Secure. Any other address sets Secure (TLS is ended in front of it).
func onLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
