// Package devstack runs stationflow on a Temporal server for the benches
// and the integration tests, so that they share one way of doing it: an
// embedded server (package devserver) or an external cluster, a client with
// the payload codec, and workers on task queues of their own. The HTTP API
// stays the caller's to build on top, because the api package's own tests
// use this package and it therefore cannot import api.
//
// Like devserver, it belongs to the development build: the production
// binary (the worker and API images) links neither.
package devstack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/stationflow/stationflow/activities"
	"github.com/stationflow/stationflow/internal/codec"
	"github.com/stationflow/stationflow/internal/devserver"
	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/worker"
)

// StartServer starts an embedded Temporal server. Without a namespace in o
// it serves stationflow's, with stationflow's search attributes; without a
// logger it logs nothing.
func StartServer(ctx context.Context, o devserver.Options) (*devserver.Server, error) {
	if o.Namespace == "" {
		o.Namespace, o.SearchAttributes = flow.Namespace, flow.SearchAttributes()
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return devserver.Start(ctx, o)
}

// The shared server of a test process: started by the first Shared, stopped
// by StopShared.
var shared struct {
	once sync.Once
	srv  *devserver.Server
	err  error
}

// Shared is one in-memory server with stationflow's namespace for the
// whole test process, so that the tests of a package, each on its own task
// queue and database, do not pay for a server each. Call StopShared from
// TestMain after the tests.
func Shared() (*devserver.Server, error) {
	shared.once.Do(func() { shared.srv, shared.err = StartServer(context.Background(), devserver.Options{}) })
	return shared.srv, shared.err
}

// StopShared stops the shared server if one was started.
func StopShared() {
	if shared.srv != nil {
		_ = shared.srv.Stop()
	}
}

// Options says what a Stack runs on and what its first worker runs.
type Options struct {
	// HostPort is the Temporal frontend to use, in Namespace. Empty starts
	// an embedded server from Server, owned and stopped by the stack.
	HostPort  string
	Namespace string
	// Server configures the embedded server (an empty DataDir keeps its
	// state in memory); see StartServer for its defaults.
	Server devserver.Options
	// Keys encrypt payloads as stationflow's clients do; none leaves the
	// SDK's plain data converter.
	Keys []codec.Key
	// Logger receives the client's log; nil discards it.
	Logger *slog.Logger
	// Worker is the first worker; an empty TaskQueue starts none.
	Worker WorkerOptions
}

// WorkerOptions is one worker on one task queue.
type WorkerOptions struct {
	TaskQueue string
	// Activities, when set, puts stationflow's workflows and activities on
	// the worker; its Temporal client and TaskQueue are filled in.
	Activities *activities.Activities
	// Register adds workflows and activities of the caller's own.
	Register func(sdkworker.Registry)
	SDK      sdkworker.Options
}

// Stack is a client on a Temporal server, with the workers it started.
type Stack struct {
	// Server is the embedded server; nil on an external cluster.
	Server   *devserver.Server
	Client   client.Client
	HostPort string
	closers  []func()
}

// Start connects to the server o names, or starts one, and starts the
// first worker. On an error everything it started is stopped again.
func Start(ctx context.Context, o Options) (_ *Stack, err error) {
	s := &Stack{HostPort: o.HostPort}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	if s.HostPort == "" {
		if s.Server, err = StartServer(ctx, o.Server); err != nil {
			return nil, err
		}
		s.closers = append(s.closers, func() { _ = s.Server.Stop() })
		s.HostPort, o.Namespace = s.Server.FrontendAddress(), s.Server.Namespace()
	}
	if s.Client, err = dial(ctx, s.HostPort, o); err != nil {
		return nil, err
	}
	s.closers = append(s.closers, s.Client.Close)
	if o.Worker.TaskQueue != "" {
		if _, err := s.StartWorker(o.Worker); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// dial connects the stack's client: with the payload codec when there are
// keys, as stationflow does, else with the SDK's defaults.
func dial(ctx context.Context, hostPort string, o Options) (client.Client, error) {
	logger := o.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if len(o.Keys) > 0 {
		return worker.Dial(ctx, worker.ClientOptions{HostPort: hostPort, Namespace: o.Namespace, Keys: o.Keys, Logger: logger})
	}
	c, err := client.DialContext(ctx, client.Options{HostPort: hostPort, Namespace: o.Namespace, Logger: sdklog.NewStructuredLogger(logger)})
	if err != nil {
		return nil, fmt.Errorf("connecting to Temporal at %s: %w", hostPort, err)
	}
	return c, nil
}

// StartWorker starts one more worker on the stack's client; Close stops it.
func (s *Stack) StartWorker(o WorkerOptions) (sdkworker.Worker, error) {
	if o.TaskQueue == "" {
		return nil, errors.New("devstack: a worker needs a task queue")
	}
	w := sdkworker.New(s.Client, o.TaskQueue, o.SDK)
	if o.Activities != nil {
		o.Activities.Temporal, o.Activities.TaskQueue = s.Client, o.TaskQueue
		worker.Register(w, o.Activities)
	}
	if o.Register != nil {
		o.Register(w)
	}
	if err := w.Start(); err != nil {
		return nil, fmt.Errorf("devstack: starting the worker on %s: %w", o.TaskQueue, err)
	}
	s.closers = append(s.closers, w.Stop)
	return w, nil
}

// Close stops the workers, closes the client and stops the embedded
// server, in that order. Calling it twice does nothing more.
func (s *Stack) Close() {
	for i := len(s.closers) - 1; i >= 0; i-- {
		s.closers[i]()
	}
	s.closers = nil
}
