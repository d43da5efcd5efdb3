// Package testdb gives each test a PostgreSQL database of its own, copied
// from a migrated template, so tests run in parallel without seeing each
// other's rows. It needs a real server: STATIONFLOW_TEST_DATABASE_URL, by
// default the local one on 127.0.0.1:5432.
package testdb

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/stationflow/stationflow/internal/regions"
	"github.com/stationflow/stationflow/internal/store"
	"github.com/stationflow/stationflow/schemas"
)

// DefaultAdminURL is the server tests use when STATIONFLOW_TEST_DATABASE_URL is unset.
const DefaultAdminURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// lockKey serialises template creation and copying across test processes.
const lockKey = 0x5354_4154_4553_5444

var (
	templateOnce sync.Once
	templateName string
	templateErr  error
)

// AdminURL is the URL of the server's maintenance database.
func AdminURL() string {
	if u := os.Getenv("STATIONFLOW_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultAdminURL
}

// URL returns the admin URL with the database name replaced.
func URL(database string) string {
	cfg, err := pgx.ParseConfig(AdminURL())
	if err != nil {
		panic(err)
	}
	return fmt.Sprintf("postgres://%s@%s:%d/%s?sslmode=disable", cfg.User, cfg.Host, cfg.Port, database)
}

// New creates a fresh migrated database for the test and drops it when the
// test ends. It returns the store connected to it and the database's URL.
func New(t testing.TB) (*store.Store, string) {
	t.Helper()
	ctx := context.Background()
	templateOnce.Do(func() { templateName, templateErr = ensureTemplate(ctx) })
	if templateErr != nil {
		t.Fatalf("test database template: %v", templateErr)
	}
	name := "sf_test_" + randomSuffix()
	err := withAdmin(ctx, func(conn *pgx.Conn) error {
		if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, int64(lockKey)); err != nil {
			return err
		}
		defer conn.Exec(ctx, `SELECT pg_advisory_unlock($1)`, int64(lockKey))
		_, err := conn.Exec(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, templateName))
		return err
	})
	if err != nil {
		t.Fatalf("creating test database: %v", err)
	}
	url := URL(name)
	st, err := store.Open(ctx, url)
	if err != nil {
		t.Fatalf("opening test database: %v", err)
	}
	t.Cleanup(func() {
		st.Close()
		_ = withAdmin(context.Background(), func(conn *pgx.Conn) error {
			_, err := conn.Exec(context.Background(), fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", name))
			return err
		})
	})
	return st, url
}

// ensureTemplate creates a migrated template database named after the
// migrations' content and the embedded regions' version, so a changed
// migration or data set makes a new template.
func ensureTemplate(ctx context.Context) (string, error) {
	h := sha256.New()
	err := fs.WalkDir(schemas.FS, "migrations", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(schemas.FS, path)
		h.Write([]byte(path))
		h.Write(b)
		return err
	})
	if err != nil {
		return "", err
	}
	h.Write([]byte(regions.Version()))
	name := "sf_template_" + hex.EncodeToString(h.Sum(nil))[:12]
	err = withAdmin(ctx, func(conn *pgx.Conn) error {
		if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, int64(lockKey)); err != nil {
			return err
		}
		defer conn.Exec(ctx, `SELECT pg_advisory_unlock($1)`, int64(lockKey))
		var ready bool
		err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate)`, name).Scan(&ready)
		if err != nil || ready {
			return err
		}
		// A half-made template from an interrupted run is dropped and made again.
		if _, err := conn.Exec(ctx, fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", name)); err != nil {
			return err
		}
		if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
			return err
		}
		st, err := store.Open(ctx, URL(name))
		if err != nil {
			return err
		}
		_, err = st.Migrate(ctx)
		st.Close()
		if err != nil {
			return err
		}
		_, err = conn.Exec(ctx, fmt.Sprintf("ALTER DATABASE %s WITH is_template true", name))
		return err
	})
	return name, err
}

func withAdmin(ctx context.Context, fn func(*pgx.Conn) error) error {
	conn, err := pgx.Connect(ctx, AdminURL())
	if err != nil {
		return fmt.Errorf("connecting to the test PostgreSQL server (%s): %w", AdminURL(), err)
	}
	defer conn.Close(ctx)
	return fn(conn)
}

func randomSuffix() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return strings.ToLower(hex.EncodeToString(b[:]))
}
