package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"time"

	"github.com/stationflow/stationflow/internal/backup"
	"github.com/stationflow/stationflow/internal/codec"
	"github.com/stationflow/stationflow/internal/config"
)

// runBackup is `stationflow backup --to DIR`: a consistent backup of a
// running single-node stack (see package backup).
func runBackup(ctx context.Context, args []string, stdout io.Writer) error {
	fs, cfg := flags("backup", "back up a running single-node stack: backup --to DIR")
	to := fs.String("to", "", "directory to write the backup to; it must be new or empty")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *to == "" {
		return errors.New("backup: name the directory to write to with --to DIR")
	}
	stack, err := backupStack(cfg)
	if err != nil {
		return fmt.Errorf("backup: %w (the backup records the fingerprint of the key the stack runs with)", err)
	}
	m, err := backup.Backup(ctx, stack, *to, buildVersion())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backed up database %s and the Temporal store to %s\n", m.Database, *to)
	fmt.Fprintf(stdout, "  Temporal: %d bytes in %v; PostgreSQL: %d bytes in %v; payload key %s\n",
		m.Temporal.Bytes, m.Temporal.Duration, m.Postgres.Bytes, m.Postgres.Duration, m.KeyFingerprint)
	return nil
}

// runRestore is `stationflow restore --from DIR`: the backup into a new
// data directory and database.
func runRestore(ctx context.Context, args []string, stdout io.Writer) error {
	fs, cfg := flags("restore", "restore a backup into an empty data directory and database: restore --from DIR")
	from := fs.String("from", "", "directory `stationflow backup --to` wrote")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *from == "" {
		return errors.New("restore: name the backup with --from DIR")
	}
	stack, err := backupStack(cfg)
	if err != nil {
		return fmt.Errorf("restore: %w: put the payload key of the backed-up stack at %s, or set STATIONFLOW_CODEC_KEY, before restoring", err, cfg.KeyFile())
	}
	r, err := backup.Restore(ctx, *from, stack)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "restored the backup of %s into %s and %s\n", r.Manifest.CreatedAt.Format("2006-01-02 15:04:05Z"), cfg.DataDir, r.Database)
	fmt.Fprintf(stdout, "  PostgreSQL in %v; Temporal in %v; start the stack with these settings\n", r.Postgres.Round(time.Millisecond), r.Temporal.Round(time.Millisecond))
	return nil
}

// backupStack is the stack the settings name, with its payload key.
func backupStack(cfg *config.Config) (backup.Stack, error) {
	key, err := codec.LoadKey(cfg.CodecKey, cfg.KeyFile())
	if err != nil {
		return backup.Stack{}, fmt.Errorf("payload key: %w", err)
	}
	stack := backup.Stack{DatabaseURL: cfg.DatabaseURL, DataDir: cfg.DataDir, Key: key}
	if cfg.CodecKey == "" {
		stack.KeyFile = cfg.KeyFile()
	}
	return stack, nil
}

// buildVersion is stationflow's module version when the binary records one.
func buildVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return ""
}
