package backup

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
)

// dumpPostgres writes the database at databaseURL to dir with pg_dump in
// directory format. pg_dump reads the whole database in one repeatable-read
// transaction, so the dump is the database as of one moment while the stack
// keeps writing.
func dumpPostgres(ctx context.Context, databaseURL, dir string) error {
	tool, err := pgTool("pg_dump")
	if err != nil {
		return err
	}
	return runTool(ctx, tool, "--format=directory", "--no-owner", "--no-privileges",
		"--file="+dir, "--dbname="+libpqURL(databaseURL))
}

// restorePostgres loads the dump in dir into the (empty) database at
// databaseURL, stopping at the first error.
func restorePostgres(ctx context.Context, databaseURL, dir string) error {
	tool, err := pgTool("pg_restore")
	if err != nil {
		return err
	}
	return runTool(ctx, tool, "--exit-on-error", "--no-owner", "--no-privileges", "--single-transaction",
		"--dbname="+libpqURL(databaseURL), dir)
}

// pgTool finds a PostgreSQL client program on PATH or, as Debian and Ubuntu
// install them, under /usr/lib/postgresql/<version>/bin (newest first).
func pgTool(name string) (string, error) {
	if path, err := exec.LookPath(name); err == nil {
		return path, nil
	}
	found, _ := filepath.Glob(filepath.Join("/usr/lib/postgresql", "*", "bin", name))
	slices.SortFunc(found, func(a, b string) int { return strings.Compare(b, a) })
	if len(found) > 0 {
		return found[0], nil
	}
	return "", fmt.Errorf("%s not found: install the PostgreSQL client programs (the version of the server or newer) and put them on PATH", name)
}

// runTool runs a PostgreSQL program and returns its error output on failure.
func runTool(ctx context.Context, tool string, args ...string) error {
	cmd := exec.CommandContext(ctx, tool, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w: %s", filepath.Base(tool), err, strings.TrimSpace(stderr.String()))
	}
	return nil
}

// libpqURL drops the query parameters that pgx understands and libpq does
// not (its pool settings), so pg_dump takes the same URL as stationflow.
func libpqURL(databaseURL string) string {
	u, err := url.Parse(databaseURL)
	if err != nil {
		return databaseURL
	}
	q := u.Query()
	for key := range q {
		if strings.HasPrefix(key, "pool_") {
			q.Del(key)
		}
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// databaseName is the database a URL names.
func databaseName(databaseURL string) (string, error) {
	cfg, err := pgx.ParseConfig(databaseURL)
	if err != nil {
		return "", fmt.Errorf("DATABASE_URL: %w", err)
	}
	if cfg.Database == "" {
		return "", errors.New("DATABASE_URL names no database")
	}
	return cfg.Database, nil
}

// databaseContents names up to a few tables, views or sequences in the database's own
// schemas; none means the database is empty. A missing database is empty.
func databaseContents(ctx context.Context, databaseURL string) ([]string, error) {
	conn, err := pgx.Connect(ctx, libpqURL(databaseURL))
	var pgErr interface{ SQLState() string }
	if errors.As(err, &pgErr) && pgErr.SQLState() == "3D000" { // invalid_catalog_name: no such database
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", databaseURL, err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `
		SELECT n.nspname || '.' || c.relname
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' AND c.relkind NOT IN ('i', 'I')
		ORDER BY 1 LIMIT 5`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}
