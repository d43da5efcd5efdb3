// Package store is stationflow's system of record in PostgreSQL: the plain
// records (regions, organisations, people, stations, contracts, tokens), the
// read models that workflows project into, and the hash-chained audit log.
// Every query takes a DBTX so the same call works on the pool or inside a
// transaction.
package store

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

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

// Store holds the connection pool.
type Store struct {
	Pool *pgxpool.Pool
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
	return &Store{Pool: pool}, nil
}

// Close closes the pool.
func (s *Store) Close() { s.Pool.Close() }

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
	return pgx.BeginFunc(ctx, s.Pool, fn)
}

// isUniqueViolation reports whether err is a unique-constraint violation.
func isUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505"
}

// Page asks for one page of a keyset-paginated list.
type Page struct {
	Limit  int
	Cursor string // opaque; empty for the first page
}

// DefaultPageSize and MaxPageSize bound every list.
const (
	DefaultPageSize = 50
	MaxPageSize     = 500
)

// ErrBadCursor is returned for a cursor this store did not issue.
var ErrBadCursor = errors.New("cursor is not one this server issued")

func (p Page) limit() int {
	switch {
	case p.Limit <= 0:
		return DefaultPageSize
	case p.Limit > MaxPageSize:
		return MaxPageSize
	}
	return p.Limit
}

// after decodes the cursor into the last key of the previous page.
func (p Page) after() (string, error) {
	if p.Cursor == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(p.Cursor)
	if err != nil {
		return "", ErrBadCursor
	}
	if _, err := uuid.ParseBytes(b); err != nil {
		return "", ErrBadCursor
	}
	return string(b), nil
}

func encodeCursor(key string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(key))
}

// List is one page of results with the cursor of the next, if any.
type List[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

// pageOf trims the one extra row a query fetched to learn whether another
// page follows, and builds the next cursor from the last item's key.
func pageOf[T any](items []T, limit int, key func(T) string) List[T] {
	if items == nil {
		items = []T{}
	}
	if len(items) <= limit {
		return List[T]{Items: items}
	}
	items = items[:limit]
	c := encodeCursor(key(items[len(items)-1]))
	return List[T]{Items: items, NextCursor: &c}
}
