package store

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/stationflow/stationflow/internal/store/db"
)

// StationStatus is one line of an organisation's status page.
type StationStatus struct {
	Station Station `json:"station"`
	Due     []Task  `json:"due"`
}

// OrganisationStatus lists each station the organisation operates or has
// applied for, with the open tasks there, soonest due first.
func (s *Store) OrganisationStatus(ctx context.Context, orgID uuid.UUID) ([]StationStatus, error) {
	rows, err := s.q.OrganisationStations(ctx, orgID)
	if err != nil {
		return nil, err
	}
	stations := mapRows(rows, stationFromDB)
	out := make([]StationStatus, 0, len(stations))
	for _, st := range stations {
		// Only the organisation's own work: tasks addressed to it and the
		// reviews of its own applications, never a competitor's.
		rows, err := s.q.OrganisationDueTasks(ctx, db.OrganisationDueTasksParams{StationID: st.ID, OrgID: orgID.String()})
		if err != nil {
			return nil, err
		}
		if st.RegionName, err = regionName(ctx, s.q, st.RegionCode); err != nil {
			return nil, err
		}
		due := mapRows(rows, func(r db.OrganisationDueTasksRow) Task { return taskFromList(db.OpenCycleTasksRow(r)) })
		if due == nil {
			due = []Task{}
		}
		for i := range due {
			due[i].RegionName = st.RegionName
		}
		out = append(out, StationStatus{Station: st, Due: due})
	}
	return out, nil
}

// Organisation is an operating organisation (社工机构).
type Organisation struct {
	ID         uuid.UUID `json:"id"`
	Name       string    `json:"name"`
	CreditCode string    `json:"credit_code"`
	CreatedAt  time.Time `json:"created_at"`
}

// CreateOrganisation inserts an organisation with its audit row. A credit
// code already registered is ErrConflict.
func (s *Store) CreateOrganisation(ctx context.Context, actor string, o Organisation) (Organisation, error) {
	o.ID = NewID()
	err := s.inTx(ctx, func(tx pgx.Tx, q *db.Queries) error {
		var err error
		o.CreatedAt, err = q.InsertOrganisation(ctx, db.InsertOrganisationParams{ID: o.ID, Name: o.Name, CreditCode: o.CreditCode})
		if isUniqueViolation(err) {
			return fmt.Errorf("an organisation with credit code %s exists already: %w", o.CreditCode, ErrConflict)
		}
		if err != nil {
			return err
		}
		return AppendAudit(ctx, tx, AuditEntry{Actor: actor, Action: "organisation.created", ObjectType: "organisation",
			ObjectID: o.ID.String(), Detail: mustJSON(map[string]string{"credit_code": o.CreditCode})})
	})
	return o, err
}

const organisationColumns = `id, name, credit_code, created_at`

func scanOrganisation(r pgx.CollectableRow) (Organisation, error) {
	var o Organisation
	err := r.Scan(&o.ID, &o.Name, &o.CreditCode, &o.CreatedAt)
	return o, err
}

// GetOrganisation returns one organisation or ErrNotFound.
func (s *Store) GetOrganisation(ctx context.Context, id uuid.UUID) (Organisation, error) {
	r, err := s.q.GetOrganisation(ctx, id)
	return Organisation(r), notFound(err)
}

// OrganisationFilter narrows a list of organisations.
type OrganisationFilter struct {
	OnlyID *uuid.UUID // an organisation's own token sees itself only
}

// ListOrganisations lists organisations in ID order.
func (s *Store) ListOrganisations(ctx context.Context, f OrganisationFilter, p Page) (List[Organisation], error) {
	q := newQuery(`SELECT ` + organisationColumns + ` FROM organisations`)
	q.whereIf(f.OnlyID != nil, "id = ?", f.OnlyID)
	return listPage(ctx, s.pool, q, p, scanOrganisation, func(o Organisation) uuid.UUID { return o.ID })
}
