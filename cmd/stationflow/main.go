// Command stationflow runs the social-work station supervision system: the
// all-in-one dev stack, the worker and API processes, migrations, tokens,
// demo data and the audit check.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout io.Writer) error
}

func commands() []command {
	return []command{
		{"dev", "everything in one process: embedded Temporal server and Web UI, worker, HTTP API", runDev},
		{"temporal", "the embedded Temporal server and Web UI alone, for a separate worker and API", runTemporal},
		{"worker", "the Temporal worker (workflows and activities) and the lifecycle reconciler", runWorker},
		{"api", "the HTTP API", runAPI},
		{"migrate", "apply the database migrations", runMigrate},
		{"token", "mint an API token: token create --role admin|office|supervisor|org --scope …", runToken},
		{"demo", "demo seed: load the 4,451-station demo province into a running stack", runDemo},
		{"audit", "audit verify: recompute the audit log's hash chain", runAudit},
		{"bench", "bench cycle --stations N: an annual cycle against a bare SignalWithStart baseline", runBench},
		{"backup", "backup --to DIR: a consistent backup of a running single-node stack", runBackup},
		{"restore", "restore --from DIR: a backup into an empty data directory and database", runRestore},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "stationflow:", err)
		}
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		if len(args) == 0 {
			return errors.New("name a command")
		}
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], stdout)
		}
	}
	usage(os.Stderr)
	return fmt.Errorf("unknown command %q", args[0])
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: stationflow <command> [flags]   (stationflow <command> --help lists its flags)")
	fmt.Fprintln(w)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
}

// newLogger logs JSON to stderr at the configured level.
func newLogger(level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.ToUpper(level))); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: l}))
}
