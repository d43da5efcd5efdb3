package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/stationflow/stationflow/internal/codes"
)

// NewID returns a new time-ordered opaque ID.
func NewID() uuid.UUID { return uuid.Must(uuid.NewV7()) }

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
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO organisations (id, name, credit_code) VALUES ($1, $2, $3) RETURNING created_at`,
			o.ID, o.Name, o.CreditCode).Scan(&o.CreatedAt)
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
	rows, _ := s.Pool.Query(ctx, `SELECT `+organisationColumns+` FROM organisations WHERE id = $1`, id)
	return collectOne(rows, scanOrganisation)
}

// OrganisationFilter narrows a list of organisations.
type OrganisationFilter struct {
	OnlyID *uuid.UUID // an organisation's own token sees itself only
}

// ListOrganisations lists organisations in ID order.
func (s *Store) ListOrganisations(ctx context.Context, f OrganisationFilter, p Page) (List[Organisation], error) {
	q := newQuery(`SELECT ` + organisationColumns + ` FROM organisations`)
	q.whereIf(f.OnlyID != nil, "id = ?", f.OnlyID)
	return listPage(ctx, s.Pool, q, p, scanOrganisation, func(o Organisation) string { return o.ID.String() })
}

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
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		if p.OrganisationID != nil {
			var exists bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM organisations WHERE id = $1)`, p.OrganisationID).Scan(&exists); err != nil {
				return err
			}
			if !exists {
				return fmt.Errorf("organisation %s: %w", p.OrganisationID, ErrNotFound)
			}
		}
		if err := ensureRegions(ctx, tx, p.RegionCode); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `INSERT INTO people (id, name, role, region_code, organisation_id, qualification)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING created_at`,
			p.ID, p.Name, p.Role, p.RegionCode, p.OrganisationID, p.Qualification).Scan(&p.CreatedAt); err != nil {
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
	rows, _ := s.Pool.Query(ctx, `SELECT `+personColumns+` FROM people WHERE id = $1`, id)
	return collectOne(rows, scanPerson)
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
	return listPage(ctx, s.Pool, q, p, scanPerson, func(x Person) string { return x.ID.String() })
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// collectOne returns the single row of rows, or ErrNotFound.
func collectOne[T any](rows pgx.Rows, scan pgx.RowToFunc[T]) (T, error) {
	v, err := pgx.CollectExactlyOneRow(rows, scan)
	if errors.Is(err, pgx.ErrNoRows) {
		return v, ErrNotFound
	}
	return v, err
}
