package devserver

import (
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"testing"
	"time"

	"go.temporal.io/server/common/persistence/sql/sqlplugin"
)

// throwawayPostgres returns the URL of a database name that does not exist
// yet on the test PostgreSQL server (STATIONFLOW_TEST_DATABASE_URL, default
// postgres://postgres@127.0.0.1:5432/postgres) and drops it, with its
// _visibility twin, when the test ends.
func throwawayPostgres(t testing.TB) (string, error) {
	raw := os.Getenv("STATIONFLOW_TEST_DATABASE_URL")
	if raw == "" {
		raw = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("STATIONFLOW_TEST_DATABASE_URL: %w", err)
	}
	adminCfg, _, err := postgresBaseConfig(u)
	if err != nil {
		return "", err
	}
	adminCfg.DatabaseName = "postgres"
	logger := newSlogLogger(slog.New(slog.DiscardHandler), slog.LevelError)
	admin, err := openAdminDB(adminCfg, logger)
	if err == nil {
		if err = admin.Exec("SELECT 1"); err != nil {
			_ = admin.Close()
		}
	}
	if err != nil {
		return "", fmt.Errorf("PostgreSQL at %s unreachable: %w", adminCfg.ConnectAddr, err)
	}
	name := fmt.Sprintf("sf_devserver_test_%d_%d", os.Getpid(), time.Now().UnixNano())
	t.Cleanup(func() {
		for _, db := range []string{name, name + "_visibility"} {
			if err := forceDropDatabase(admin, db); err != nil {
				t.Errorf("drop throwaway database %s: %v", db, err)
			}
		}
		_ = admin.Close()
	})
	u.Path = "/" + name
	return u.String(), nil
}

func forceDropDatabase(admin sqlplugin.AdminDB, name string) error {
	type forceDropper interface{ ForceDropDatabase(string) error }
	if f, ok := admin.(forceDropper); ok {
		return f.ForceDropDatabase(name)
	}
	return admin.DropDatabase(name)
}
