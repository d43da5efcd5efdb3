// Package backup takes a consistent backup of a running single-node
// stationflow stack and restores it into an empty one.
//
// A stack keeps its state in two stores: PostgreSQL (the system of record
// and read side) and the embedded Temporal server's SQLite file (every
// workflow's history). Backup snapshots each store while the stack runs,
// Temporal first and PostgreSQL second: every effect that Temporal's
// snapshot records as done is then in PostgreSQL's snapshot too, and what
// happened between the two snapshots is work Temporal runs again after a
// restore, through activities that are idempotent. The payload key that
// encrypts the histories is never copied; the backup records its
// fingerprint so that a restore refuses a key that could not read them.
package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/stationflow/stationflow/internal/codec"
)

// Names inside a backup directory.
const (
	manifestFile      = "manifest.json"
	temporalFile      = "temporal.db"
	temporalVersion   = "temporal.db.version"
	postgresDirectory = "postgres"
)

// Stack names the stores of one stack: where its PostgreSQL database is,
// the data directory of its embedded Temporal server, and the payload key it
// encrypts histories with.
type Stack struct {
	DatabaseURL string
	DataDir     string
	Key         codec.Key
	// KeyFile is the key's file when it lives in DataDir, so Restore can
	// accept a data directory that holds only that file; "" otherwise.
	KeyFile string
}

// Backup writes a backup of stack to dir, which must be missing or empty,
// and returns its manifest. version is the stationflow version recorded in
// the manifest ("" when unknown).
func Backup(ctx context.Context, stack Stack, dir, version string) (Manifest, error) {
	if stack.Key.IsZero() {
		return Manifest{}, errors.New("backup: no payload key: give the stack's key (STATIONFLOW_CODEC_KEY or its key file) so the backup records its fingerprint")
	}
	source := filepath.Join(stack.DataDir, temporalFile)
	if _, err := os.Stat(source); err != nil {
		return Manifest{}, fmt.Errorf("backup: no Temporal store at %s (%w): point --data-dir at the data directory of the running `stationflow dev` or `stationflow temporal`; an external Temporal cluster is backed up with its own tools", source, err)
	}
	if err := requireEmptyDir(dir, ""); err != nil {
		return Manifest{}, fmt.Errorf("backup: %w: choose a new directory for each backup", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return Manifest{}, fmt.Errorf("backup: create %s: %w", dir, err)
	}
	m := Manifest{CreatedAt: time.Now().UTC(), Version: version, KeyFingerprint: Fingerprint(stack.Key)}
	var err error
	if m.Database, err = databaseName(stack.DatabaseURL); err != nil {
		return Manifest{}, err
	}

	// Temporal first, then PostgreSQL: see the package comment.
	started := time.Now()
	if err := snapshotSQLite(ctx, source, filepath.Join(dir, temporalFile)); err != nil {
		return Manifest{}, fmt.Errorf("backup: Temporal store: %w", err)
	}
	if err := copyFile(filepath.Join(stack.DataDir, temporalVersion), filepath.Join(dir, temporalVersion)); err != nil {
		return Manifest{}, fmt.Errorf("backup: Temporal schema version: %w", err)
	}
	m.Temporal = Part{Bytes: sizeOf(filepath.Join(dir, temporalFile)), Duration: Duration(time.Since(started))}

	started = time.Now()
	if err := dumpPostgres(ctx, stack.DatabaseURL, filepath.Join(dir, postgresDirectory)); err != nil {
		return Manifest{}, fmt.Errorf("backup: PostgreSQL: %w", err)
	}
	m.Postgres = Part{Bytes: sizeOf(filepath.Join(dir, postgresDirectory)), Duration: Duration(time.Since(started))}

	if err := m.write(dir); err != nil {
		return Manifest{}, fmt.Errorf("backup: %w", err)
	}
	return m, nil
}

// requireEmptyDir checks that dir is missing or holds nothing but allowed
// (a file name, "" for none), and names what it holds otherwise.
func requireEmptyDir(dir, allowed string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Name() != allowed {
			return fmt.Errorf("%s is not empty: it holds %s", dir, e.Name())
		}
	}
	return nil
}

// copyFile copies a small, closed file (never a live database).
func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// sizeOf is the bytes of a file, or of every file under a directory.
func sizeOf(path string) int64 {
	var total int64
	_ = filepath.WalkDir(path, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				total += info.Size()
			}
		}
		return nil
	})
	return total
}
