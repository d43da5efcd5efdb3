// Package store is stationflow's system of record in PostgreSQL: the plain
// records (regions, organisations, people, stations, contracts, tokens), the
// read models that workflows project into, and the hash-chained audit log.
//
// The static SQL lives in queries/<area>.sql; sqlc generates package db
// from it against the migrations (`make sqlc`), and each capability's file
// here maps the generated rows to the store's types. Hand-written SQL is
// left only where a statement is built at run time: the lists with
// optional filters (listquery.go), a cycle's candidates (cycles.go) and
// the validating COPY of a CSV import (csvimport.go). Callers outside the
// store never see the pool.
package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/stationflow/stationflow/internal/store/db"
)

// NewID returns a new time-ordered opaque ID.
func NewID() uuid.UUID { return uuid.Must(uuid.NewV7()) }

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// mapRows maps generated rows to the store's type.
func mapRows[R, T any](rows []R, f func(R) T) []T {
	out := make([]T, len(rows))
	for i, r := range rows {
		out[i] = f(r)
	}
	return out
}

// collectOne returns the single row of rows, or ErrNotFound.
func collectOne[T any](rows pgx.Rows, scan pgx.RowToFunc[T]) (T, error) {
	v, err := pgx.CollectExactlyOneRow(rows, scan)
	if errors.Is(err, pgx.ErrNoRows) {
		return v, ErrNotFound
	}
	return v, err
}

// DefaultURL is the database stationflow uses when DATABASE_URL is unset.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/stationflow?sslmode=disable"

// Errors callers tell apart with errors.Is.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("conflict")
)

// DBTX is what queries run on: a pool, a connection or a transaction.
type DBTX interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	CopyFrom(ctx context.Context, table pgx.Identifier, columns []string, src pgx.CopyFromSource) (int64, error)
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// Store holds the connection pool. Callers outside the store read and
// write through its methods, never through the pool.
type Store struct {
	pool *pgxpool.Pool
	q    *db.Queries // the generated queries, on the pool
}

// UnreachableError says that no PostgreSQL server answered, and how to get one.
type UnreachableError struct {
	URL string
	Err error
}

func (e *UnreachableError) Error() string {
	return fmt.Sprintf("no PostgreSQL server answers at %s (%v); start one: the local package "+
		"(Debian: apt-get install postgresql, then pg_ctlcluster 15 main start) or "+
		"`docker compose up -d postgres`, or point DATABASE_URL at a running server", redact(e.URL), e.Err)
}

func (e *UnreachableError) Unwrap() error { return e.Err }

// Open connects to the database at databaseURL and checks that it answers.
func Open(ctx context.Context, databaseURL string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("DATABASE_URL: %w", err)
	}
	if cfg.MaxConns < 16 {
		cfg.MaxConns = 16
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("DATABASE_URL: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, classifyConnectError(databaseURL, err)
	}
	return &Store{pool: pool, q: db.New(pool)}, nil
}

// Close closes the pool.
func (s *Store) Close() { s.pool.Close() }

// Ping checks that the database answers, for readiness probes.
func (s *Store) Ping(ctx context.Context) error { return s.pool.Ping(ctx) }

// DBForTests gives tests direct access to the database, to check or tamper
// with rows that no store method exposes (an audit row edited behind the
// store's back, a count of rows an import wrote). Code that is not a test
// reads and writes through the store's methods.
func (s *Store) DBForTests() DBTX { return s.pool }

// EnsureDatabase creates the database named in databaseURL when it does not
// exist yet, connecting to the server's "postgres" database to do so.
func EnsureDatabase(ctx context.Context, databaseURL string) error {
	cfg, err := pgx.ParseConfig(databaseURL)
	if err != nil {
		return fmt.Errorf("DATABASE_URL: %w", err)
	}
	name := cfg.Database
	if name == "" {
		return fmt.Errorf("DATABASE_URL names no database")
	}
	cfg.Database = "postgres"
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return classifyConnectError(databaseURL, err)
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return fmt.Errorf("looking for database %q: %w", name, err)
	}
	if exists {
		return nil
	}
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42P04" { // created meanwhile by another process
		return nil
	}
	if err != nil {
		return fmt.Errorf("creating database %q: %w", name, err)
	}
	return nil
}

// DropDatabase removes the database the URL names, closing its other
// connections first; a database that does not exist is not an error.
func DropDatabase(ctx context.Context, databaseURL string) error {
	cfg, err := pgx.ParseConfig(databaseURL)
	if err != nil {
		return fmt.Errorf("DATABASE_URL: %w", err)
	}
	name := cfg.Database
	cfg.Database = "postgres"
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return classifyConnectError(databaseURL, err)
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
	return err
}

func classifyConnectError(databaseURL string, err error) error {
	var netErr net.Error
	var opErr *net.OpError
	if errors.As(err, &netErr) || errors.As(err, &opErr) || strings.Contains(err.Error(), "connect: connection refused") ||
		strings.Contains(err.Error(), "dial error") {
		return &UnreachableError{URL: databaseURL, Err: err}
	}
	return fmt.Errorf("connecting to %s: %w", redact(databaseURL), err)
}

// redact hides a password in a database URL before it is shown.
func redact(databaseURL string) string {
	u, err := url.Parse(databaseURL)
	if err != nil {
		return "the configured DATABASE_URL"
	}
	return u.Redacted()
}

// InTx runs fn in a transaction, committing when fn returns nil.
func (s *Store) InTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.pool, fn)
}

// inTx runs fn with the generated queries in a transaction, committing
// when fn returns nil.
func (s *Store) inTx(ctx context.Context, fn func(tx pgx.Tx, q *db.Queries) error) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return fn(tx, db.New(tx)) })
}

// interval is d as a PostgreSQL interval.
func interval(d time.Duration) pgtype.Interval {
	return pgtype.Interval{Microseconds: d.Microseconds(), Valid: true}
}

// notFound turns "no rows" into ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

// isUniqueViolation reports whether err is a unique-constraint violation.
func isUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505"
}
