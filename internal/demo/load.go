package demo

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/stationflow/stationflow/internal/store"
)

// LoadResult counts what one load inserted; a second load inserts nothing.
type LoadResult struct {
	Regions, Organisations, People, Stations, Assignments int64
}

// Load writes the province into the database in one transaction. Rows are
// streamed with COPY into temporary tables, then inserted where missing, so
// a repeated load changes nothing. Each inserted object gets an audit row.
func Load(ctx context.Context, st *store.Store, p *Province, actor string, progress func(string)) (LoadResult, error) {
	var res LoadResult
	err := st.InTx(ctx, func(tx pgx.Tx) error {
		if err := checkRegionsFree(ctx, tx, p); err != nil {
			return err
		}
		var audit []store.AuditEntry
		steps := []struct {
			name   string
			table  string
			count  *int64
			create string
			cols   []string
			rows   [][]any
			insert string
			object string
		}{
			{"regions", "demo_regions", &res.Regions, `CREATE TEMP TABLE demo_regions (code text, level text, parent_code text, name text) ON COMMIT DROP`,
				[]string{"code", "level", "parent_code", "name"}, regionRows(p),
				`INSERT INTO regions (code, level, parent_code, name) SELECT code, level, parent_code, name FROM demo_regions
					ORDER BY length(code) ON CONFLICT (code) DO NOTHING RETURNING code`, "region"},
			{"organisations", "demo_organisations", &res.Organisations, `CREATE TEMP TABLE demo_organisations (id uuid, name text, credit_code text) ON COMMIT DROP`,
				[]string{"id", "name", "credit_code"}, organisationRows(p),
				`INSERT INTO organisations (id, name, credit_code) SELECT id, name, credit_code FROM demo_organisations
					ON CONFLICT DO NOTHING RETURNING id::text`, "organisation"},
			{"people", "demo_people", &res.People, `CREATE TEMP TABLE demo_people (id uuid, name text, role text, region_code text, organisation_id uuid, qualification text) ON COMMIT DROP`,
				[]string{"id", "name", "role", "region_code", "organisation_id", "qualification"}, personRows(p),
				`INSERT INTO people (id, name, role, region_code, organisation_id, qualification)
					SELECT id, name, role, region_code, organisation_id, qualification FROM demo_people ON CONFLICT DO NOTHING RETURNING id::text`, "person"},
			{"stations", "demo_stations", &res.Stations, `CREATE TEMP TABLE demo_stations (id uuid, name text, level text, region_code text, parent_id uuid, depth int) ON COMMIT DROP`,
				[]string{"id", "name", "level", "region_code", "parent_id", "depth"}, stationRows(p),
				`INSERT INTO stations (id, name, level, region_code, parent_id, phase_version)
					SELECT id, name, level, region_code, parent_id, 1 FROM demo_stations ORDER BY depth ON CONFLICT DO NOTHING RETURNING id::text`, "station"},
			{"supervisor assignments", "demo_assignments", &res.Assignments, `CREATE TEMP TABLE demo_assignments (person_id uuid, station_id uuid) ON COMMIT DROP`,
				[]string{"person_id", "station_id"}, assignmentRows(p),
				`INSERT INTO supervisor_assignments (person_id, station_id) SELECT person_id, station_id FROM demo_assignments
					ON CONFLICT DO NOTHING RETURNING station_id::text`, "assignment"},
		}
		for _, s := range steps {
			if _, err := tx.Exec(ctx, s.create); err != nil {
				return fmt.Errorf("%s: %w", s.name, err)
			}
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{s.table}, s.cols, pgx.CopyFromRows(s.rows)); err != nil {
				return fmt.Errorf("copying %s: %w", s.name, err)
			}
			rows, err := tx.Query(ctx, s.insert)
			if err != nil {
				return fmt.Errorf("inserting %s: %w", s.name, err)
			}
			ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
			if err != nil {
				return fmt.Errorf("inserting %s: %w", s.name, err)
			}
			*s.count = int64(len(ids))
			for _, id := range ids {
				if s.object == "region" {
					continue // regions are reference data, not audited events
				}
				audit = append(audit, store.AuditEntry{Actor: actor, Action: s.object + ".created", ObjectType: s.object,
					ObjectID: id, Detail: json.RawMessage(`{"source":"demo seed"}`)})
			}
			if progress != nil {
				progress(fmt.Sprintf("%s: %d new of %d", s.name, len(ids), len(s.rows)))
			}
		}
		return store.AppendAudit(ctx, tx, audit...)
	})
	return res, err
}

func regionRows(p *Province) [][]any {
	rows := make([][]any, 0, len(p.Regions))
	for _, r := range p.Regions {
		var parent any
		if r.Parent != "" {
			parent = r.Parent
		}
		rows = append(rows, []any{r.Code, r.Level, parent, r.Name})
	}
	return rows
}

func organisationRows(p *Province) [][]any {
	rows := make([][]any, 0, len(p.Organisations))
	for _, o := range p.Organisations {
		rows = append(rows, []any{o.ID, o.Name, o.CreditCode})
	}
	return rows
}

func personRows(p *Province) [][]any {
	rows := make([][]any, 0, len(p.People))
	for _, x := range p.People {
		rows = append(rows, []any{x.ID, x.Name, x.Role, x.RegionCode, x.OrganisationID, x.Qualification})
	}
	return rows
}

func stationRows(p *Province) [][]any {
	depth := map[string]int{"city_centre": 0, "county_station": 1, "township_station": 2, "community_room": 3}
	rows := make([][]any, 0, len(p.Stations))
	for _, s := range p.Stations {
		rows = append(rows, []any{s.ID, s.Name, string(s.Level), s.RegionCode, s.ParentID, depth[string(s.Level)]})
	}
	return rows
}

func assignmentRows(p *Province) [][]any {
	rows := make([][]any, 0, len(p.Assignments))
	for _, a := range p.Assignments {
		rows = append(rows, []any{a.PersonID, a.StationID})
	}
	return rows
}

// checkRegionsFree refuses to load into regions that already hold stations
// that are not the demo's own: the demo's stations would collide with them.
func checkRegionsFree(ctx context.Context, tx pgx.Tx, p *Province) error {
	ids := make([]string, 0, len(p.Stations))
	regions := make([]string, 0, len(p.Stations))
	for _, s := range p.Stations {
		ids = append(ids, s.ID.String())
		regions = append(regions, s.RegionCode)
	}
	var region, level string
	err := tx.QueryRow(ctx, `SELECT region_code, level FROM stations
		WHERE region_code = ANY($1) AND NOT (id::text = ANY($2)) LIMIT 1`, regions, ids).Scan(&region, &level)
	if err == pgx.ErrNoRows {
		return nil
	}
	if err != nil {
		return err
	}
	return fmt.Errorf("region %s already has a %s that the demo did not create; "+
		"load the demo into an empty database (or one only the demo has seeded)", region, level)
}
