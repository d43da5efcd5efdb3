package backup

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/stationflow/stationflow/internal/store"
)

// Restored says what a restore took.
type Restored struct {
	Manifest Manifest
	Database string // the database restored into
	Temporal time.Duration
	Postgres time.Duration
}

// Restore loads the backup in dir into stack, which must be new: its data
// directory missing or holding nothing but its key file, its database
// missing or without tables. It refuses a stack whose payload key is not
// the one the backup was taken with, since the restored histories could not
// be read with another.
func Restore(ctx context.Context, dir string, stack Stack) (Restored, error) {
	m, err := ReadManifest(dir)
	if err != nil {
		return Restored{}, fmt.Errorf("restore: %w", err)
	}
	if err := checkTarget(ctx, m, stack); err != nil {
		return Restored{}, fmt.Errorf("restore: %w", err)
	}
	r := Restored{Manifest: m}
	if r.Database, err = databaseName(stack.DatabaseURL); err != nil {
		return Restored{}, fmt.Errorf("restore: %w", err)
	}

	started := time.Now()
	if err := store.EnsureDatabase(ctx, stack.DatabaseURL); err != nil {
		return Restored{}, fmt.Errorf("restore: %w", err)
	}
	if err := restorePostgres(ctx, stack.DatabaseURL, filepath.Join(dir, postgresDirectory)); err != nil {
		return Restored{}, fmt.Errorf("restore: PostgreSQL: %w (drop the database before trying again)", err)
	}
	r.Postgres = time.Since(started)

	started = time.Now()
	if err := restoreTemporal(ctx, dir, stack.DataDir); err != nil {
		return Restored{}, fmt.Errorf("restore: Temporal store: %w", err)
	}
	r.Temporal = time.Since(started)
	return r, nil
}

// checkTarget refuses a stack that is not new or whose key does not match
// the backup's, naming what is in the way.
func checkTarget(ctx context.Context, m Manifest, stack Stack) error {
	if stack.Key.IsZero() {
		return fmt.Errorf("no payload key: put the key the backed-up stack used (fingerprint %s) in its key file or STATIONFLOW_CODEC_KEY", m.KeyFingerprint)
	}
	if got := Fingerprint(stack.Key); got != m.KeyFingerprint {
		return fmt.Errorf("the payload key has fingerprint %s but the backup was taken with %s: the restored histories could not be decrypted; give the stack the key it was backed up with", got, m.KeyFingerprint)
	}
	allowed := ""
	if stack.KeyFile != "" && filepath.Dir(filepath.Clean(stack.KeyFile)) == filepath.Clean(stack.DataDir) {
		allowed = filepath.Base(stack.KeyFile)
	}
	if err := requireEmptyDir(stack.DataDir, allowed); err != nil {
		return fmt.Errorf("data directory %w: restore into a new one", err)
	}
	relations, err := databaseContents(ctx, stack.DatabaseURL)
	if err != nil {
		return err
	}
	if len(relations) > 0 {
		name, _ := databaseName(stack.DatabaseURL)
		return fmt.Errorf("database %s is not empty: it holds %s: restore into a new database", name, strings.Join(relations, ", "))
	}
	return nil
}

// restoreTemporal puts the snapshot of the Temporal store, and the schema
// version it was made with, in dataDir. The snapshot is a closed file, so a
// copy is exact; it is checked before and after.
func restoreTemporal(ctx context.Context, dir, dataDir string) error {
	source := filepath.Join(dir, temporalFile)
	if err := sqliteCheck(ctx, source); err != nil {
		return err
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return err
	}
	target := filepath.Join(dataDir, temporalFile)
	if err := copyFile(source, target); err != nil {
		return err
	}
	if err := copyFile(filepath.Join(dir, temporalVersion), filepath.Join(dataDir, temporalVersion)); err != nil {
		return err
	}
	return sqliteCheck(ctx, target)
}
