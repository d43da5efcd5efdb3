// Command stationflow runs the social-work station supervision system: the
// worker and API processes, migrations, tokens, demo data and the audit
// check. The development build (go build -tags dev, as make build does)
// adds the all-in-one dev stack, the embedded Temporal server and the
// benches; the default build leaves them out, so that the worker and API
// images link neither the Temporal server nor its Web UI.
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
	"slices"
	"strings"
	"syscall"
)

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout io.Writer) error
}

// commands are the development build's commands (see dev.go), if this is
// that build, and those of every build.
func commands() []command {
	return append(devCommands(), []command{
		{"worker", "the Temporal worker (workflows and activities) and the lifecycle reconciler", runWorker},
		{"api", "the HTTP API", runAPI},
		{"migrate", "apply the database migrations", runMigrate},
		{"token", "API tokens: token create --user L [--expires 30d] | token create --role … --scope … | token revoke ID", runToken},
		{"user", "accounts: user create --login L --name N --role R [--scope S] [--duty clerk|approver] | reset | disable | enable", runUser},
		{"demo", "demo seed: load the 4,451-station demo province into a running stack", runDemo},
		{"audit", "audit verify: recompute the audit log's hash chain", runAudit},
		{"regions", "regions load: load the embedded administrative divisions with their names", runRegions},
		{"backup", "backup --to DIR: a consistent backup of a running single-node stack", runBackup},
		{"restore", "restore --from DIR: a backup into an empty data directory and database", runRestore},
	}...)
}

// devOnly are the commands only the development build has.
var devOnly = []string{"dev", "temporal", "bench"}

// unknownCommand says why name is not a command: a development command
// asked of the production build names the build that has it.
func unknownCommand(name string) error {
	if slices.Contains(devOnly, name) {
		return fmt.Errorf("stationflow %s is in the development build only: go build -tags dev ./cmd/stationflow (make build)", name)
	}
	return fmt.Errorf("unknown command %q", name)
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
	return unknownCommand(args[0])
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
