package store

import (
	"context"

	"github.com/stationflow/stationflow/internal/codes"
	"github.com/stationflow/stationflow/internal/store/db"
)

// ensureRegions inserts the region code and every region above it that is
// not yet known, so that parent links always resolve.
func ensureRegions(ctx context.Context, dbtx DBTX, code string) error {
	chain := append([]string{code}, codes.Ancestors(code)...)
	var regions []db.EnsureRegionParams
	for i := len(chain) - 1; i >= 0; i-- {
		level, err := codes.ParseRegion(chain[i])
		if err != nil {
			return err
		}
		var parent *string
		if p, ok := codes.Parent(chain[i]); ok {
			parent = &p
		}
		regions = append(regions, db.EnsureRegionParams{Code: chain[i], Level: level.String(), ParentCode: parent})
	}
	return db.New(dbtx).EnsureRegion(ctx, regions).Close()
}
