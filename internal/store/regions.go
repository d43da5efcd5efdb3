package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/stationflow/stationflow/internal/codes"
	"github.com/stationflow/stationflow/internal/regions"
	"github.com/stationflow/stationflow/internal/store/db"
)

// Region is an administrative division with its name. Official says it
// comes from the embedded data set; a region created outside it (a code
// newer than the data set, or a village) is not, and may have no name.
type Region struct {
	Code       string  `json:"code"`
	Level      string  `json:"level"`
	ParentCode *string `json:"parent_code"`
	Name       string  `json:"name"`
	Official   bool    `json:"official"`
}

func regionFromDB(r db.Region) Region {
	return Region{Code: r.Code, Level: r.Level, ParentCode: r.ParentCode, Name: r.Name, Official: r.Official}
}

// RegionLoad says what one load of the embedded regions did.
type RegionLoad struct {
	Version string
	// Skipped: the database held this version already and the load was
	// not forced.
	Skipped bool
	// Changed counts regions inserted, renamed or made official.
	Changed int64
}

// regionLoadLock serialises loads between processes starting together.
const regionLoadLock = 0x5246_5245_4749_4f4e

// LoadRegions upserts the embedded administrative divisions into regions
// and records the data set's version. Unless forced, it does nothing when
// the database holds this version already. Loading twice changes nothing.
func (s *Store) LoadRegions(ctx context.Context, force bool) (RegionLoad, error) {
	out := RegionLoad{Version: regions.Version()}
	err := s.inTx(ctx, func(tx pgx.Tx, q *db.Queries) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(regionLoadLock)); err != nil {
			return err
		}
		have, err := q.RegionDataVersion(ctx)
		if err != nil {
			return err
		}
		if !force && len(have) == 1 && have[0] == out.Version {
			out.Skipped = true
			return nil
		}
		all, err := regions.All()
		if err != nil {
			return err
		}
		var p db.LoadRegionsParams
		for _, r := range all {
			p.Codes, p.Levels = append(p.Codes, r.Code), append(p.Levels, r.Level)
			p.Parents, p.Names = append(p.Parents, r.Parent), append(p.Names, r.Name)
		}
		if out.Changed, err = q.LoadRegions(ctx, p); err != nil {
			return fmt.Errorf("loading regions: %w", err)
		}
		return q.SetRegionDataVersion(ctx, out.Version)
	})
	return out, err
}

// GetRegion returns one region or ErrNotFound.
func (s *Store) GetRegion(ctx context.Context, code string) (Region, error) {
	r, err := s.q.GetRegion(ctx, code)
	return regionFromDB(r), notFound(err)
}

// RegionChildren lists the regions directly below parent in code order;
// an empty parent lists the provinces.
func (s *Store) RegionChildren(ctx context.Context, parent string) ([]Region, error) {
	var rows []db.Region
	var err error
	if parent == "" {
		rows, err = s.q.Provinces(ctx)
	} else {
		rows, err = s.q.RegionChildren(ctx, &parent)
	}
	out := make([]Region, 0, len(rows))
	for _, r := range rows {
		out = append(out, regionFromDB(r))
	}
	return out, err
}

// IsOfficialRegion reports whether a station's region is in the data set:
// the region itself, or for a village (which the data set does not list)
// its township.
func (s *Store) IsOfficialRegion(ctx context.Context, code string) (bool, error) {
	if level, err := codes.ParseRegion(code); err == nil && level == codes.Village {
		code, _ = codes.Parent(code)
	}
	r, err := s.q.GetRegion(ctx, code)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	return r.Official, err
}

// regionNameColumn selects the name of the row's region_code, for lists
// that show region codes; "" where the region has none.
const regionNameColumn = `coalesce((SELECT name FROM regions WHERE regions.code = region_code), '') AS region_name`

// regionName is the name of one region; "" for a region without one.
func regionName(ctx context.Context, q *db.Queries, code string) (string, error) {
	r, err := q.GetRegion(ctx, code)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	return r.Name, err
}

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
