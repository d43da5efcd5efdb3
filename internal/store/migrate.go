package store

import (
	"context"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/stationflow/stationflow/schemas"
)

// MigrationResult says which migrations one run applied and whether it
// loaded the embedded region names.
type MigrationResult struct {
	Applied []string
	Version int64
	Regions RegionLoad
}

// Migrate applies the embedded migrations that the database lacks. It holds
// a PostgreSQL advisory lock while it runs, so processes starting together
// apply each migration once; running it again changes nothing. Then it
// loads the embedded administrative divisions (LoadRegions) when the
// database lacks this version of them.
func (s *Store) Migrate(ctx context.Context) (MigrationResult, error) {
	migrations, err := fs.Sub(schemas.FS, "migrations")
	if err != nil {
		return MigrationResult{}, err
	}
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return MigrationResult{}, err
	}
	db := stdlib.OpenDBFromPool(s.pool)
	defer db.Close()
	provider, err := goose.NewProvider(goose.DialectPostgres, db, migrations,
		goose.WithSessionLocker(locker), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return MigrationResult{}, fmt.Errorf("loading migrations: %w", err)
	}
	results, err := provider.Up(ctx)
	if err != nil {
		return MigrationResult{}, fmt.Errorf("applying migrations: %w", err)
	}
	var out MigrationResult
	for _, r := range results {
		out.Applied = append(out.Applied, r.Source.Path)
	}
	out.Version, err = provider.GetDBVersion(ctx)
	if err != nil {
		return out, fmt.Errorf("reading schema version: %w", err)
	}
	if out.Regions, err = s.LoadRegions(ctx, false); err != nil {
		return out, err
	}
	return out, nil
}
