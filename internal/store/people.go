package store

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/stationflow/stationflow/internal/store/db"
)

// Person is a member of staff, a supervisor or an office worker. Name is
// personal data: it stays in PostgreSQL and encrypted payloads.
type Person struct {
	ID             uuid.UUID  `json:"id"`
	Name           string     `json:"name"`
	Role           string     `json:"role"`
	RegionCode     string     `json:"region_code"`
	OrganisationID *uuid.UUID `json:"organisation_id"`
	Qualification  string     `json:"qualification"`
	CreatedAt      time.Time  `json:"created_at"`
}

// Person roles.
const (
	PersonSupervisor   = "supervisor"
	PersonOfficeStaff  = "office_staff"
	PersonSocialWorker = "social_worker"
)

// CreatePerson inserts a person. An unknown organisation is ErrNotFound.
func (s *Store) CreatePerson(ctx context.Context, actor string, p Person) (Person, error) {
	p.ID = NewID()
	if p.Qualification == "" {
		p.Qualification = "none"
	}
	err := s.inTx(ctx, func(tx pgx.Tx, q *db.Queries) error {
		if p.OrganisationID != nil {
			exists, err := q.OrganisationExists(ctx, *p.OrganisationID)
			if err != nil {
				return err
			}
			if !exists {
				return fmt.Errorf("organisation %s: %w", p.OrganisationID, ErrNotFound)
			}
		}
		if err := ensureRegions(ctx, tx, p.RegionCode); err != nil {
			return err
		}
		var err error
		p.CreatedAt, err = q.InsertPerson(ctx, db.InsertPersonParams{ID: p.ID, Name: p.Name, Role: p.Role, RegionCode: p.RegionCode,
			OrganisationID: p.OrganisationID, Qualification: p.Qualification})
		if err != nil {
			return err
		}
		return AppendAudit(ctx, tx, AuditEntry{Actor: actor, Action: "person.created", ObjectType: "person",
			ObjectID: p.ID.String(), Detail: mustJSON(map[string]string{"role": p.Role, "region_code": p.RegionCode})})
	})
	return p, err
}

const personColumns = `id, name, role, region_code, organisation_id, qualification, created_at`

func scanPerson(r pgx.CollectableRow) (Person, error) {
	var p Person
	err := r.Scan(&p.ID, &p.Name, &p.Role, &p.RegionCode, &p.OrganisationID, &p.Qualification, &p.CreatedAt)
	return p, err
}

// GetPerson returns one person or ErrNotFound.
func (s *Store) GetPerson(ctx context.Context, id uuid.UUID) (Person, error) {
	r, err := s.q.GetPerson(ctx, id)
	return Person(r), notFound(err)
}

// PersonFilter narrows a list of people.
type PersonFilter struct {
	RegionPrefix   string
	OrganisationID *uuid.UUID
	Role           string
}

// ListPeople lists people in ID order.
func (s *Store) ListPeople(ctx context.Context, f PersonFilter, p Page) (List[Person], error) {
	q := newQuery(`SELECT ` + personColumns + ` FROM people`)
	q.whereIf(f.RegionPrefix != "", "region_code LIKE ?", f.RegionPrefix+"%")
	q.whereIf(f.OrganisationID != nil, "organisation_id = ?", f.OrganisationID)
	q.whereIf(f.Role != "", "role = ?", f.Role)
	return listPage(ctx, s.pool, q, p, scanPerson, func(x Person) uuid.UUID { return x.ID })
}
