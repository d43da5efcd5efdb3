package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// Seed is a batch of plain records written in one go: the demo province,
// or a bench's synthetic one. Parents come before children in each slice
// only where the caller wants; the store orders regions and stations so
// that every parent is written before its children.
type Seed struct {
	Regions       []SeedRegion
	Organisations []Organisation
	People        []Person
	Stations      []SeedStation
	Contracts     []Contract
	Assignments   []SupervisorAssignment
}

// SeedRegion is one region code with its level, parent ("" for a
// province) and name.
type SeedRegion struct {
	Code, Level, Parent, Name string
}

// SeedStation is a station as a seed writes it: with the projection
// version and workflow flag of its phase, which a bench that starts its
// stations operating sets itself.
type SeedStation struct {
	Station
	PhaseVersion    int64
	WorkflowStarted bool
}

// SupervisorAssignment links a supervisor to a station.
type SupervisorAssignment struct {
	PersonID, StationID uuid.UUID
}

// SeedCounts counts what a seed added; seeding the same records again adds
// nothing.
type SeedCounts struct {
	Regions, Organisations, People, Stations, Assignments int64
}

// SeedRecords writes the seed's regions, organisations, people, stations
// (in phase awaiting_operator, at the initial phase version) and
// supervisor assignments in one transaction, each where it is missing, so
// a repeated seed changes nothing. Every object added, regions aside
// (reference data, not events), gets an audit row. progress, when not nil,
// hears each kind's count of added rows against the seed's. A seed whose
// stations stand in regions that hold stations it did not create is
// refused: they would collide. Contracts are not seeded here.
func (s *Store) SeedRecords(ctx context.Context, actor string, seed Seed, progress func(what string, added, of int)) (SeedCounts, error) {
	var counts SeedCounts
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		if err := checkSeedRegionsFree(ctx, tx, seed.Stations); err != nil {
			return err
		}
		var audit []AuditEntry
		for _, step := range seedSteps(seed, &counts) {
			ids, err := step.insert(ctx, tx)
			if err != nil {
				return fmt.Errorf("inserting %s: %w", step.name, err)
			}
			*step.count = int64(len(ids))
			if step.object != "" {
				for _, id := range ids {
					audit = append(audit, AuditEntry{Actor: actor, Action: step.object + ".created", ObjectType: step.object,
						ObjectID: id, Detail: json.RawMessage(`{"source":"demo seed"}`)})
				}
			}
			if progress != nil {
				progress(step.name, len(ids), step.of)
			}
		}
		return AppendAudit(ctx, tx, audit...)
	})
	return counts, err
}

// seedStep inserts one kind of record where missing and returns the IDs
// (as audit object IDs) of the rows it added.
type seedStep struct {
	name   string
	object string // audit object type; "" for none
	of     int
	count  *int64
	insert func(ctx context.Context, tx pgx.Tx) ([]string, error)
}

func seedSteps(seed Seed, counts *SeedCounts) []seedStep {
	return []seedStep{
		{"regions", "", len(seed.Regions), &counts.Regions, func(ctx context.Context, tx pgx.Tx) ([]string, error) {
			return insertSeedRegions(ctx, tx, seed.Regions)
		}},
		{"organisations", "organisation", len(seed.Organisations), &counts.Organisations, func(ctx context.Context, tx pgx.Tx) ([]string, error) {
			return insertSeedOrganisations(ctx, tx, seed.Organisations)
		}},
		{"people", "person", len(seed.People), &counts.People, func(ctx context.Context, tx pgx.Tx) ([]string, error) {
			return insertSeedPeople(ctx, tx, seed.People)
		}},
		{"stations", "station", len(seed.Stations), &counts.Stations, func(ctx context.Context, tx pgx.Tx) ([]string, error) {
			return insertSeedStations(ctx, tx, seed.Stations)
		}},
		{"supervisor assignments", "assignment", len(seed.Assignments), &counts.Assignments, func(ctx context.Context, tx pgx.Tx) ([]string, error) {
			return insertSeedAssignments(ctx, tx, seed.Assignments)
		}},
	}
}

// checkSeedRegionsFree refuses a seed whose stations' regions already hold
// stations that are not the seed's own.
func checkSeedRegionsFree(ctx context.Context, tx pgx.Tx, stations []SeedStation) error {
	ids := make([]uuid.UUID, 0, len(stations))
	regions := make([]string, 0, len(stations))
	for _, st := range stations {
		ids = append(ids, st.ID)
		regions = append(regions, st.RegionCode)
	}
	var region, level string
	err := tx.QueryRow(ctx, `SELECT region_code, level FROM stations
		WHERE region_code = ANY($1) AND NOT (id = ANY($2)) LIMIT 1`, regions, ids).Scan(&region, &level)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	return fmt.Errorf("region %s already has a %s that the demo did not create; "+
		"load the demo into an empty database (or one only the demo has seeded)", region, level)
}

func insertSeedRegions(ctx context.Context, tx pgx.Tx, regions []SeedRegion) ([]string, error) {
	var codes, levels, parents, names []string
	for _, r := range regions {
		codes, levels, parents, names = append(codes, r.Code), append(levels, r.Level), append(parents, r.Parent), append(names, r.Name)
	}
	rows, _ := tx.Query(ctx, `INSERT INTO regions (code, level, parent_code, name)
		SELECT code, level, NULLIF(parent, ''), name FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS r (code, level, parent, name)
		ORDER BY length(code) ON CONFLICT (code) DO NOTHING RETURNING code`, codes, levels, parents, names)
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

func insertSeedOrganisations(ctx context.Context, tx pgx.Tx, orgs []Organisation) ([]string, error) {
	var ids []uuid.UUID
	var names, creditCodes []string
	for _, o := range orgs {
		ids, names, creditCodes = append(ids, o.ID), append(names, o.Name), append(creditCodes, o.CreditCode)
	}
	rows, _ := tx.Query(ctx, `INSERT INTO organisations (id, name, credit_code)
		SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[]) ON CONFLICT DO NOTHING RETURNING id::text`, ids, names, creditCodes)
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

func insertSeedPeople(ctx context.Context, tx pgx.Tx, people []Person) ([]string, error) {
	var ids, orgs []uuid.UUID
	var names, roles, regions, qualifications []string
	for _, p := range people {
		org := uuid.Nil
		if p.OrganisationID != nil {
			org = *p.OrganisationID
		}
		q := p.Qualification
		if q == "" {
			q = "none"
		}
		ids, orgs = append(ids, p.ID), append(orgs, org)
		names, roles, regions, qualifications = append(names, p.Name), append(roles, p.Role), append(regions, p.RegionCode), append(qualifications, q)
	}
	rows, _ := tx.Query(ctx, `INSERT INTO people (id, name, role, region_code, organisation_id, qualification)
		SELECT id, name, role, region_code, NULLIF(org, '00000000-0000-0000-0000-000000000000'), qualification
		FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::uuid[], $6::text[]) AS p (id, name, role, region_code, org, qualification)
		ON CONFLICT DO NOTHING RETURNING id::text`, ids, names, roles, regions, orgs, qualifications)
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// insertSeedStations writes new stations awaiting an operator, parents
// first (the level order), so each parent link resolves.
func insertSeedStations(ctx context.Context, tx pgx.Tx, stations []SeedStation) ([]string, error) {
	var ids, parents []uuid.UUID
	var names, levels, regions []string
	for _, st := range stations {
		parent := uuid.Nil
		if st.ParentID != nil {
			parent = *st.ParentID
		}
		ids, parents = append(ids, st.ID), append(parents, parent)
		names, levels, regions = append(names, st.Name), append(levels, st.Level), append(regions, st.RegionCode)
	}
	rows, _ := tx.Query(ctx, `INSERT INTO stations (id, name, level, region_code, parent_id, phase_version)
		SELECT id, name, level, region_code, NULLIF(parent, '00000000-0000-0000-0000-000000000000'), $6
		FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::uuid[]) AS s (id, name, level, region_code, parent)
		ORDER BY array_position(ARRAY['city_centre', 'county_station', 'township_station', 'community_room'], level)
		ON CONFLICT DO NOTHING RETURNING id::text`, ids, names, levels, regions, parents, InitialPhaseVersion)
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

func insertSeedAssignments(ctx context.Context, tx pgx.Tx, assignments []SupervisorAssignment) ([]string, error) {
	var people, stations []uuid.UUID
	for _, a := range assignments {
		people, stations = append(people, a.PersonID), append(stations, a.StationID)
	}
	rows, _ := tx.Query(ctx, `INSERT INTO supervisor_assignments (person_id, station_id)
		SELECT * FROM unnest($1::uuid[], $2::uuid[]) ON CONFLICT DO NOTHING RETURNING station_id::text`, people, stations)
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// BulkLoad copies a synthetic seed straight into its tables in one
// transaction, without audit rows, and makes each station's operator the
// organisation of its contract. It is for benches that write tens of
// thousands of stations into an empty region: a row that exists already
// fails the load.
func (s *Store) BulkLoad(ctx context.Context, seed Seed) error {
	return s.InTx(ctx, func(tx pgx.Tx) error {
		for _, c := range bulkTables(seed) {
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{c.table}, c.columns, pgx.CopyFromRows(c.rows)); err != nil {
				return fmt.Errorf("writing %s: %w", c.table, err)
			}
		}
		_, err := tx.Exec(ctx, `UPDATE stations s SET operator_id = c.organisation_id FROM contracts c WHERE c.station_id = s.id`)
		return err
	})
}

type bulkTable struct {
	table   string
	columns []string
	rows    [][]any
}

// bulkTables lays the seed out as rows to copy, parents before children.
func bulkTables(seed Seed) []bulkTable {
	regions := make([][]any, 0, len(seed.Regions))
	for _, r := range seed.Regions {
		var parent any
		if r.Parent != "" {
			parent = r.Parent
		}
		regions = append(regions, []any{r.Code, r.Level, parent, r.Name})
	}
	orgs := make([][]any, 0, len(seed.Organisations))
	for _, o := range seed.Organisations {
		orgs = append(orgs, []any{o.ID, o.Name, o.CreditCode})
	}
	people := make([][]any, 0, len(seed.People))
	for _, p := range seed.People {
		people = append(people, []any{p.ID, p.Name, p.Role, p.RegionCode})
	}
	stations := make([][]any, 0, len(seed.Stations))
	for _, st := range seed.Stations {
		stations = append(stations, []any{st.ID, st.Name, st.Level, st.RegionCode, st.ParentID, st.Phase, st.PhaseVersion, st.WorkflowStarted})
	}
	contracts := make([][]any, 0, len(seed.Contracts))
	for _, c := range seed.Contracts {
		targets := c.Targets
		if len(targets) == 0 {
			targets = json.RawMessage(`{}`)
		}
		contracts = append(contracts, []any{c.ID, c.StationID, c.OrganisationID, c.TermStart, c.TermEnd, c.FundingYuan, string(targets), c.State})
	}
	return []bulkTable{
		{"regions", []string{"code", "level", "parent_code", "name"}, regions},
		{"organisations", []string{"id", "name", "credit_code"}, orgs},
		{"people", []string{"id", "name", "role", "region_code"}, people},
		{"stations", []string{"id", "name", "level", "region_code", "parent_id", "phase", "phase_version", "workflow_started"}, stations},
		{"contracts", []string{"id", "station_id", "organisation_id", "term_start", "term_end", "funding_yuan", "targets", "state"}, contracts},
	}
}
