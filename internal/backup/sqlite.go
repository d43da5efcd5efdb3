package backup

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strings"

	_ "modernc.org/sqlite" // the SQLite driver the embedded Temporal server uses
)

// snapshotSQLite writes a consistent copy of the SQLite database at source
// to target with VACUUM INTO, while the Temporal server keeps writing.
//
// A file copy of a database in WAL mode can catch the main file and its
// write-ahead log at different moments and yield a corrupt or stale
// database. VACUUM INTO reads the whole database inside one read
// transaction, so the copy is the database as of one commit; in WAL mode
// that reader does not block the server's writer.
func snapshotSQLite(ctx context.Context, source, target string) error {
	// mode=rw: never create a database where there is none.
	dsn := (&url.URL{Scheme: "file", OmitHost: true, Path: source,
		RawQuery: "mode=rw&_pragma=busy_timeout(10000)"}).String()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return fmt.Errorf("open %s: %w", source, err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	literal := "'" + strings.ReplaceAll(target, "'", "''") + "'"
	if _, err := db.ExecContext(ctx, "VACUUM INTO "+literal); err != nil {
		return fmt.Errorf("VACUUM INTO %s: %w", target, err)
	}
	return sqliteCheck(ctx, target)
}

// sqliteCheck runs SQLite's quick_check on the database at path, so a
// snapshot or a restore never hands on a damaged file.
func sqliteCheck(ctx context.Context, path string) error {
	dsn := (&url.URL{Scheme: "file", OmitHost: true, Path: path, RawQuery: "mode=ro"}).String()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	defer db.Close()
	var result string
	if err := db.QueryRowContext(ctx, "PRAGMA quick_check").Scan(&result); err != nil {
		return fmt.Errorf("check %s: %w", path, err)
	}
	if result != "ok" {
		return fmt.Errorf("%s fails SQLite's quick_check: %s", path, result)
	}
	return nil
}
