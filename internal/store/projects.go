package store

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/stationflow/stationflow/internal/evidence"
	"github.com/stationflow/stationflow/internal/store/db"
)

// Project is a project (民生项目) a station runs with one funder's money,
// as its operating organisation recorded it. AmountFen is in fen.
type Project struct {
	ID             uuid.UUID `json:"id"`
	StationID      uuid.UUID `json:"station_id"`
	OrganisationID uuid.UUID `json:"organisation_id"`
	Name           string    `json:"name"`
	ServiceLines   []string  `json:"service_lines"`
	FunderKind     string    `json:"funder_kind"`
	FunderName     string    `json:"funder_name"`
	AmountFen      int64     `json:"amount_fen"`
	StartDate      string    `json:"start_date"` // 2006-01-02
	EndDate        string    `json:"end_date"`
	Beneficiaries  int       `json:"beneficiaries"`
	CreatedAt      time.Time `json:"created_at"`
}

// CreateProject records a station's project with an audit row in the same
// transaction. The dates are written 2006-01-02 and already checked.
func (s *Store) CreateProject(ctx context.Context, actor string, p Project) (Project, error) {
	p.ID = NewID()
	start, err := time.Parse(time.DateOnly, p.StartDate)
	if err != nil {
		return p, err
	}
	end, err := time.Parse(time.DateOnly, p.EndDate)
	if err != nil {
		return p, err
	}
	err = s.inTx(ctx, func(tx pgx.Tx, q *db.Queries) error {
		var err error
		p.CreatedAt, err = q.InsertProject(ctx, db.InsertProjectParams{ID: p.ID, StationID: p.StationID, OrganisationID: p.OrganisationID,
			Name: p.Name, ServiceLines: p.ServiceLines, FunderKind: p.FunderKind, FunderName: p.FunderName, AmountFen: p.AmountFen,
			StartDate: start, EndDate: end, Beneficiaries: p.Beneficiaries})
		if err != nil {
			return err
		}
		return AppendAudit(ctx, tx, AuditEntry{Actor: actor, Action: "project.created", ObjectType: "station",
			ObjectID: p.StationID.String(), Detail: mustJSON(map[string]any{"project_id": p.ID, "funder_kind": p.FunderKind,
				"amount_fen": p.AmountFen})})
	})
	return p, err
}

const projectColumns = `id, station_id, organisation_id, name, service_lines, funder_kind, funder_name, amount_fen,
	start_date, end_date, beneficiaries, created_at`

func scanProject(r pgx.CollectableRow) (Project, error) {
	var p Project
	var start, end time.Time
	err := r.Scan(&p.ID, &p.StationID, &p.OrganisationID, &p.Name, &p.ServiceLines, &p.FunderKind, &p.FunderName, &p.AmountFen,
		&start, &end, &p.Beneficiaries, &p.CreatedAt)
	p.StartDate, p.EndDate = start.Format(time.DateOnly), end.Format(time.DateOnly)
	return p, err
}

// ListProjects lists a station's projects in ID order.
func (s *Store) ListProjects(ctx context.Context, stationID uuid.UUID, p Page) (List[Project], error) {
	q := newQuery(`SELECT ` + projectColumns + ` FROM projects`)
	q.whereIf(true, "station_id = ?", stationID)
	return listPage(ctx, s.pool, q, p, scanProject, func(x Project) uuid.UUID { return x.ID })
}

// StationProjectIDs is the set of a station's project IDs, against which
// the project a service record names is checked where it enters.
func (s *Store) StationProjectIDs(ctx context.Context, stationID uuid.UUID) (map[uuid.UUID]bool, error) {
	ids, err := s.q.StationProjectIDs(ctx, stationID)
	if err != nil {
		return nil, err
	}
	set := make(map[uuid.UUID]bool, len(ids))
	for _, id := range ids {
		set[id] = true
	}
	return set, nil
}

// projectResources sums a station's projects whose period meets from..to
// by funder kind, against the year target in fen (nil: none). Amounts are
// not pro-rated.
func (s *Store) projectResources(ctx context.Context, stationID uuid.UUID, from, to time.Time, targetFen *int64) (evidence.Resources, error) {
	rows, err := s.q.ProjectResources(ctx, db.ProjectResourcesParams{StationID: stationID, FromDay: from, ToDay: to})
	if err != nil {
		return evidence.Resources{}, err
	}
	byKind := make(map[string]evidence.FunderResources, len(rows))
	for _, r := range rows {
		byKind[r.FunderKind] = evidence.FunderResources{FunderKind: r.FunderKind, Projects: r.Projects, AmountFen: r.AmountFen}
	}
	return evidence.SumResources(byKind, targetFen), nil
}
