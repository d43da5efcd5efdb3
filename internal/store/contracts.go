package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// Contract is a term under which an organisation runs a station.
type Contract struct {
	ID             uuid.UUID       `json:"id"`
	StationID      uuid.UUID       `json:"station_id"`
	OrganisationID uuid.UUID       `json:"organisation_id"`
	TermStart      time.Time       `json:"term_start"`
	TermEnd        time.Time       `json:"term_end"`
	FundingYuan    float64         `json:"funding_yuan"`
	Targets        json.RawMessage `json:"targets"`
	State          string          `json:"state"`
}

// CreateContractFromApplication writes the contract an approval starts,
// with the application's funding and targets. The contract's ID is given
// by the caller, so a retry inserts nothing twice.
func (s *Store) CreateContractFromApplication(ctx context.Context, contractID, applicationID uuid.UUID, start, end time.Time, actor string) error {
	return s.InTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO contracts (id, station_id, organisation_id, term_start, term_end, funding_yuan, targets)
			SELECT $1, station_id, organisation_id, $3, $4, budget_yuan, targets FROM applications WHERE id = $2
			ON CONFLICT (id) DO NOTHING`, contractID, applicationID, start, end)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			var exists bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM contracts WHERE id = $1)`, contractID).Scan(&exists); err != nil {
				return err
			}
			if !exists {
				return fmt.Errorf("application %s: %w", applicationID, ErrNotFound)
			}
			return nil
		}
		return AppendAudit(ctx, tx, AuditEntry{Actor: actor, Action: "contract.created", ObjectType: "contract",
			ObjectID: contractID.String(), Detail: mustJSON(map[string]any{"application_id": applicationID,
				"term_start": start.Format(time.DateOnly), "term_end": end.Format(time.DateOnly)})})
	})
}

// ContractsOf lists a station's contracts, newest first.
func (s *Store) ContractsOf(ctx context.Context, stationID uuid.UUID) ([]Contract, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, station_id, organisation_id, term_start, term_end, funding_yuan::float8, targets::text, state
		FROM contracts WHERE station_id = $1 ORDER BY term_start DESC`, stationID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, scanContract)
}

func scanContract(r pgx.CollectableRow) (Contract, error) {
	var c Contract
	var targets string
	err := r.Scan(&c.ID, &c.StationID, &c.OrganisationID, &c.TermStart, &c.TermEnd, &c.FundingYuan, &targets, &c.State)
	c.Targets = json.RawMessage(targets)
	return c, err
}

// RenewContract starts the term after a contract's, for the same
// organisation, funding and targets, and ends the old one. A retry with
// the same new ID writes nothing twice.
func (s *Store) RenewContract(ctx context.Context, oldID, newID uuid.UUID, start, end time.Time, actor string) error {
	return s.InTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO contracts (id, station_id, organisation_id, term_start, term_end, funding_yuan, targets)
			SELECT $2, station_id, organisation_id, $3, $4, funding_yuan, targets FROM contracts WHERE id = $1
			ON CONFLICT (id) DO NOTHING`, oldID, newID, start, end)
		if err != nil || tag.RowsAffected() == 0 {
			if err == nil {
				var exists bool
				if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM contracts WHERE id = $1)`, newID).Scan(&exists); err != nil {
					return err
				}
				if !exists {
					return fmt.Errorf("contract %s: %w", oldID, ErrNotFound)
				}
			}
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE contracts SET state = 'ended' WHERE id = $1 AND state = 'active'`, oldID); err != nil {
			return err
		}
		return AppendAudit(ctx, tx, AuditEntry{Actor: actor, Action: "contract.renewed", ObjectType: "contract", ObjectID: newID.String(),
			Detail: mustJSON(map[string]any{"previous": oldID, "term_start": start.Format(time.DateOnly), "term_end": end.Format(time.DateOnly)})})
	})
}

// GetContract returns a contract or ErrNotFound.
func (s *Store) GetContract(ctx context.Context, id uuid.UUID) (Contract, error) {
	rows, _ := s.pool.Query(ctx, `SELECT id, station_id, organisation_id, term_start, term_end, funding_yuan::float8, targets::text, state
		FROM contracts WHERE id = $1`, id)
	return collectOne(rows, scanContract)
}

// TerminateContract ends a contract early because its organisation exits.
func (s *Store) TerminateContract(ctx context.Context, id uuid.UUID, reason, actor string) error {
	return s.InTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE contracts SET state = 'terminated' WHERE id = $1 AND state = 'active'`, id)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		return AppendAudit(ctx, tx, AuditEntry{Actor: actor, Action: "contract.terminated", ObjectType: "contract", ObjectID: id.String(),
			Detail: mustJSON(map[string]any{"reason": reason})})
	})
}
