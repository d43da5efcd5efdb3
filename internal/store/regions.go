package store

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/stationflow/stationflow/internal/codes"
)

// ensureRegions inserts the region code and every region above it that is
// not yet known, so that parent links always resolve.
func ensureRegions(ctx context.Context, db DBTX, code string) error {
	chain := append([]string{code}, codes.Ancestors(code)...)
	batch := &pgx.Batch{}
	for i := len(chain) - 1; i >= 0; i-- {
		level, err := codes.ParseRegion(chain[i])
		if err != nil {
			return err
		}
		var parent *string
		if p, ok := codes.Parent(chain[i]); ok {
			parent = &p
		}
		batch.Queue(`INSERT INTO regions (code, level, parent_code) VALUES ($1, $2, $3) ON CONFLICT (code) DO NOTHING`,
			chain[i], level.String(), parent)
	}
	return db.SendBatch(ctx, batch).Close()
}
