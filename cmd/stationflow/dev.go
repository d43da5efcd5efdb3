//go:build dev

package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/devserver"
	"github.com/stationflow/stationflow/internal/devstack"
	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/store"
)

// devCommands are the commands of the development build (-tags dev): they
// link the Temporal server, its Web UI and the benches, which the worker
// and API images leave out.
func devCommands() []command {
	return []command{
		{"dev", "everything in one process: embedded Temporal server and Web UI, worker, HTTP API", runDev},
		{"temporal", "the embedded Temporal server and Web UI alone, for a separate worker and API", runTemporal},
		{"bench", "bench cycle --stations N: an annual cycle against a bare SignalWithStart baseline", runBench},
	}
}

func runDev(ctx context.Context, args []string, stdout io.Writer) error {
	p, err := start(ctx, "dev", "embedded Temporal server and Web UI, worker and HTTP API in one process", args,
		needs{createDB: true, createKey: true, temporal: true, embedded: startEmbedded}, nil)
	if err != nil {
		return err
	}
	defer p.close()
	link, err := handOverAdmin(ctx, p)
	if err != nil {
		return err
	}
	if link != "" {
		p.up = func(context.Context) error {
			fmt.Fprintf(os.Stderr, "first admin sign-in (account admin, single use, valid %s):\n%s\n", store.SignInLinkTTL, link)
			return nil
		}
	}
	return p.serve(ctx, true, true)
}

// handOverAdmin makes the account admin on a fresh installation and
// answers its single-use first sign-in link, which dev prints as the last
// line of start-up, once the API listens: the HTTP address and
// auth.SignInPath. While the admin has not set a password, each start
// makes a new link (ending the one before); once it has, none ("").
func handOverAdmin(ctx context.Context, p *process) (string, error) {
	link, err := p.store.EnsureAccount(ctx, "dev", store.NewAccount{Login: "admin", Name: "管理员",
		Grant: auth.Grant{Role: auth.RoleAdmin}}, false)
	if err != nil || link == "" {
		return "", err
	}
	return signInLink("", p.cfg.HTTPAddr, link), nil
}

// startEmbedded starts the embedded Temporal server with its Web UI for dev,
// stopped when the process closes. The HTTP address is checked first, so a
// second dev fails before it starts a server.
func startEmbedded(ctx context.Context, p *process) error {
	cfg := p.cfg
	if err := checkPortFree(cfg.HTTPAddr); err != nil {
		return err
	}
	srv, err := devstack.StartServer(ctx, devserver.Options{DataDir: cfg.DataDir, FrontendPort: cfg.TemporalPort, UIPort: cfg.UIPort,
		Namespace: cfg.Namespace, SearchAttributes: flow.SearchAttributes(), Logger: p.logger})
	if err != nil {
		return err
	}
	p.closers = append(p.closers, func() { _ = srv.Stop() })
	p.logger.Info("embedded Temporal server started", "frontend", srv.FrontendAddress(), "ui", srv.UIAddress(), "data_dir", cfg.DataDir)
	return nil
}

// runTemporal runs the embedded Temporal server (and its Web UI) alone,
// for a worker and an API that run as processes of their own.
func runTemporal(ctx context.Context, args []string, stdout io.Writer) error {
	fs, cfg := flags("temporal", "the embedded Temporal server and Web UI alone")
	if err := fs.Parse(args); err != nil {
		return err
	}
	logger := newLogger(cfg.LogLevel)
	srv, err := devstack.StartServer(ctx, devserver.Options{DataDir: cfg.DataDir, FrontendPort: cfg.TemporalPort, UIPort: cfg.UIPort,
		Namespace: cfg.Namespace, SearchAttributes: flow.SearchAttributes(), Logger: logger})
	if err != nil {
		return err
	}
	defer func() { _ = srv.Stop() }()
	logger.Info("embedded Temporal server started", "frontend", srv.FrontendAddress(), "ui", srv.UIAddress(), "data_dir", cfg.DataDir)
	fmt.Fprintf(os.Stderr, "Temporal is up: %s  (stop with Ctrl-C)\n", srv.FrontendAddress())
	<-ctx.Done()
	return nil
}

// checkPortFree fails early, with the flag to change, when addr is taken.
func checkPortFree(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("HTTP address %s is in use: is another stationflow running? use --http-addr", addr)
	}
	return ln.Close()
}
