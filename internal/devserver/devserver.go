// Package devserver runs a real Temporal server inside the stationflow
// process. `stationflow dev` uses it so that a developer needs nothing but
// PostgreSQL for the application data, and integration tests in other
// packages use it (in memory, on free ports) to run workflows end to end
// against the same server code as production.
//
// The server keeps its state in a SQLite file under Options.DataDir (or in
// memory when DataDir is empty, or in PostgreSQL when Options.PostgresURL is
// set), registers one namespace, makes sure stationflow's custom search
// attributes exist, and can serve the Temporal Web UI on a second port.
package devserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	uiserver "github.com/temporalio/ui-server/v2/server"
	enums "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
	sdkclient "go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/server/temporal"
)

// Defaults for the zero values of Options.
const (
	DefaultIP           = "127.0.0.1"
	DefaultFrontendPort = 7233
	DefaultNamespace    = "default"

	clusterName = "active"
	// startTimeout bounds Start when the caller's context has no deadline.
	startTimeout = 2 * time.Minute
	// namespaceRefresh is how often every service reloads namespace metadata
	// (dynamic config system.namespaceCacheRefreshInterval, default 2s).
	// Search attributes added to an existing namespace are usable once all
	// services have reloaded it.
	namespaceRefresh = 2 * time.Second
)

// Options configures Start.
type Options struct {
	// DataDir is the directory for the persistent state (temporal.db and a
	// lock file). It is created (mode 0700) if missing. Empty means an
	// in-memory database that is gone when the server stops (for tests).
	DataDir string
	// IP is the address every port binds to. Default "127.0.0.1".
	IP string
	// FrontendPort is the gRPC frontend port. stationflow dev uses
	// DefaultFrontendPort (7233); 0 picks a free port (tests).
	FrontendPort int
	// UIPort is where the Temporal Web UI is served in-process; 0 = no UI.
	UIPort int
	// Namespace is registered at each start. Default "default".
	Namespace string
	// SearchAttributes are custom search attributes that must exist in the
	// namespace; missing ones are added at every start.
	SearchAttributes map[string]enums.IndexedValueType
	// Logger receives the server's log at Warn level and above. Default
	// slog.Default().
	Logger *slog.Logger
	// DynamicConfig holds extra dynamic config values by key name (for
	// example "history.maxInFlightUpdates"); they override the defaults set
	// by this package.
	DynamicConfig map[string]any
	// PostgresURL, when set, stores the Temporal state in PostgreSQL instead
	// of SQLite: postgres://user:password@host:port/dbname?sslmode=disable.
	// The database (default name "temporal") and a second one named
	// <dbname>_visibility are created and given the schema when empty.
	// DataDir, if also set, is still locked and created but holds no data.
	PostgresURL string
}

// Server is a running embedded Temporal server.
type Server struct {
	temporal  temporal.Server
	ui        *uiserver.Server
	uiDone    chan struct{}
	lock      *dirLock
	frontend  string
	uiAddr    string
	namespace string

	stopping *atomic.Bool // shared with the server's logger
	stopOnce sync.Once
	stopErr  error
}

// defaultDynamicConfig are the values that differ from the server defaults.
// Caller-provided Options.DynamicConfig entries override them.
func defaultDynamicConfig() map[string]any {
	return map[string]any{
		// Default 10: station and task workflows take submissions, claims
		// and completions as Updates, and the 11th concurrent one on a
		// workflow would be rejected.
		"history.maxInFlightUpdates": 100,
		// Bulk starts (demo data, imports) must not be throttled by the
		// per-namespace and per-instance limits (default 2400 RPS), nor
		// the internal per-host limits of history and matching.
		"frontend.namespaceRPS":            100000,
		"frontend.rps":                     100000,
		"history.rps":                      100000,
		"matching.rps":                     100000,
		"frontend.namespaceRPS.visibility": 1000,
		// Mutable-state cache for one host; the default (128k entries) is
		// sized for production hosts, 8k keeps a developer's memory in check.
		"history.hostLevelCacheMaxSize": 8192,
		// One partition per task queue. With the default four, a task that
		// lands on a partition without a waiting poller is forwarded to the
		// root partition at most 10 times a second; on one host this cost
		// 3x throughput and put p99 latency at 9.5s in the benchmark.
		"matching.numTaskqueueReadPartitions":  1,
		"matching.numTaskqueueWritePartitions": 1,
		// The server never stops the SDK workers of its background scanners
		// and of the parent-close-policy processor: after Stop they would
		// keep polling (and, in a test process that starts another server
		// on the same port, poll that one). At development scale they are
		// not needed: history applies parent close policies itself when
		// the processor is off, and the scanners only garbage-collect task
		// queues and orphaned history branches.
		"worker.taskQueueScannerEnabled":       false,
		"worker.historyScannerEnabled":         false,
		"worker.executionsScannerEnabled":      false,
		"worker.buildIdScavengerEnabled":       false,
		"system.enableParentClosePolicyWorker": false,
	}
}

// Start runs a Temporal server and returns once its frontend answers, the
// namespace exists and every search attribute in o.SearchAttributes is
// registered. ctx bounds the wait (2 minutes when it has no deadline).
//
// The Temporal server ends the process on some start-up failures instead of
// returning an error; the usual causes are checked first and returned as
// errors: a port in use (*PortInUseError) and a data directory held by
// another server (ErrDataDirLocked).
func Start(ctx context.Context, o Options) (_ *Server, err error) {
	if o, err = o.withDefaults(); err != nil {
		return nil, err
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, startTimeout)
		defer cancel()
	}
	logger := newSlogLogger(o.Logger, slog.LevelWarn)
	s := &Server{namespace: o.Namespace, stopping: logger.stopping}
	defer func() {
		if err != nil {
			_ = s.Stop()
		}
	}()
	if err := s.lockDataDir(o.DataDir); err != nil {
		return nil, err
	}
	// Reserve every port before anything binds: the server exits the process
	// on a failed listen.
	ports := &portSet{ip: o.IP}
	defer ports.release()
	p, err := reservePorts(ports, o)
	if err != nil {
		return nil, err
	}
	s.frontend = p.hostPort(p.frontend)
	stores, err := preparePersistence(o, logger)
	if err != nil {
		return nil, fmt.Errorf("devserver: %w", err)
	}
	opts, err := serverOptions(o, p, stores, logger)
	if err != nil {
		return nil, fmt.Errorf("devserver: %w", err)
	}
	// NewServer already creates the listeners: hand the ports over now.
	ports.release()
	srv, err := temporal.NewServer(opts...)
	if err != nil {
		return nil, fmt.Errorf("devserver: build Temporal server: %w", err)
	}
	if err := srv.Start(); err != nil {
		_ = srv.Stop()
		return nil, fmt.Errorf("devserver: start Temporal server: %w", err)
	}
	s.temporal = srv
	if err := s.waitReady(ctx, o.SearchAttributes); err != nil {
		return nil, fmt.Errorf("devserver: %w", err)
	}
	if o.UIPort != 0 {
		if err := s.startUI(ctx, o.IP, o.UIPort); err != nil {
			return nil, fmt.Errorf("devserver: %w", err)
		}
	}
	return s, nil
}

// withDefaults fills the zero values of o and checks its ports and IP.
func (o Options) withDefaults() (Options, error) {
	if o.IP == "" {
		o.IP = DefaultIP
	}
	if o.Namespace == "" {
		o.Namespace = DefaultNamespace
	}
	if o.FrontendPort < 0 || o.FrontendPort > 65535 || o.UIPort < 0 || o.UIPort > 65535 {
		return o, errors.New("devserver: ports must be between 0 and 65535")
	}
	if net.ParseIP(o.IP) == nil {
		return o, fmt.Errorf("devserver: IP %q is not an IP address", o.IP)
	}
	return o, nil
}

// lockDataDir creates the data directory and holds its lock until Stop, so
// that no second server opens the same state.
func (s *Server) lockDataDir(dir string) error {
	if dir == "" {
		return nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("devserver: create data dir: %w", err)
	}
	lock, err := lockDataDir(dir)
	if err != nil {
		return fmt.Errorf("devserver: %w", err)
	}
	s.lock = lock
	return nil
}

// waitReady waits for the frontend to serve the namespace, then adds the
// missing search attributes.
func (s *Server) waitReady(ctx context.Context, attrs map[string]enums.IndexedValueType) error {
	c, err := s.dial(ctx)
	if err != nil {
		return err
	}
	defer c.Close()

	for {
		_, err := c.WorkflowService().DescribeNamespace(ctx,
			&workflowservice.DescribeNamespaceRequest{Namespace: s.namespace})
		if err == nil {
			break
		}
		if err := sleepCtx(ctx, 100*time.Millisecond); err != nil {
			return fmt.Errorf("namespace %s not served by the frontend: %w", s.namespace, err)
		}
	}
	return ensureSearchAttributes(ctx, c.OperatorService(), s.namespace, attrs)
}

func (s *Server) dial(ctx context.Context) (sdkclient.Client, error) {
	var lastErr error
	for {
		attemptCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
		c, err := sdkclient.DialContext(attemptCtx, sdkclient.Options{
			HostPort:  s.frontend,
			Namespace: s.namespace,
			Logger:    sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler)),
		})
		cancel()
		if err == nil {
			return c, nil
		}
		lastErr = err
		if err := sleepCtx(ctx, 100*time.Millisecond); err != nil {
			return nil, fmt.Errorf("frontend %s did not answer: %w (last error: %v)", s.frontend, err, lastErr)
		}
	}
}

// ensureSearchAttributes adds the attributes missing from the namespace.
// Attributes given at namespace creation only apply to a new database, so
// this is what lets a data directory from an older stationflow gain new ones.
func ensureSearchAttributes(ctx context.Context, op operatorservice.OperatorServiceClient, ns string, want map[string]enums.IndexedValueType) error {
	if len(want) == 0 {
		return nil
	}
	resp, err := op.ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: ns})
	if err != nil {
		return fmt.Errorf("list search attributes: %w", err)
	}
	missing := map[string]enums.IndexedValueType{}
	for name, typ := range want {
		have, ok := resp.GetCustomAttributes()[name]
		if !ok {
			if sys, isSys := resp.GetSystemAttributes()[name]; isSys {
				return fmt.Errorf("search attribute %s is a system attribute (type %s)", name, sys)
			}
			missing[name] = typ
			continue
		}
		if have != typ {
			return fmt.Errorf("search attribute %s exists in namespace %s with type %s, want %s",
				name, ns, have, typ)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	if _, err := op.AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
		Namespace:        ns,
		SearchAttributes: missing,
	}); err != nil {
		return fmt.Errorf("add search attributes: %w", err)
	}
	// Every service caches namespace metadata (which holds the custom search
	// attribute aliases) and reloads it periodically; wait for one reload so
	// the new attributes are accepted as soon as Start returns.
	return sleepCtx(ctx, namespaceRefresh+500*time.Millisecond)
}

// FrontendAddress is the gRPC host:port of the frontend, e.g. "127.0.0.1:7233".
func (s *Server) FrontendAddress() string { return s.frontend }

// UIAddress is the host:port of the Web UI, or "" when it is not served.
func (s *Server) UIAddress() string { return s.uiAddr }

// Namespace is the namespace registered at start.
func (s *Server) Namespace() string { return s.namespace }

// Stop stops the UI and the server and releases the data directory. It is
// safe to call more than once; later calls return the first result.
// Stop SDK workers and close clients of this server before calling it.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		if s.stopping != nil {
			s.stopping.Store(true)
		}
		var errs []error
		if s.ui != nil {
			s.ui.Stop()
			select {
			case <-s.uiDone:
			case <-time.After(5 * time.Second):
			}
		}
		if s.temporal != nil {
			if err := s.temporal.Stop(); err != nil {
				errs = append(errs, fmt.Errorf("stop Temporal server: %w", err))
			}
		}
		if err := s.lock.release(); err != nil {
			errs = append(errs, fmt.Errorf("release data dir lock: %w", err))
		}
		s.stopErr = errors.Join(errs...)
	})
	return s.stopErr
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
