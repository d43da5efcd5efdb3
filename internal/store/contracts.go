package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/stationflow/stationflow/internal/store/db"
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
	return s.inTx(ctx, func(tx pgx.Tx, q *db.Queries) error {
		n, err := q.InsertContractFromApplication(ctx, db.InsertContractFromApplicationParams{ContractID: contractID,
			ApplicationID: applicationID, TermStart: start, TermEnd: end})
		if err != nil {
			return err
		}
		if n == 0 {
			exists, err := q.ContractExists(ctx, contractID)
			if err != nil {
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
	rows, err := s.q.ContractsOf(ctx, stationID)
	return mapRows(rows, contractFromDB), err
}

func contractFromDB(r db.Contract) Contract {
	return Contract{ID: r.ID, StationID: r.StationID, OrganisationID: r.OrganisationID, TermStart: r.TermStart, TermEnd: r.TermEnd,
		FundingYuan: r.FundingYuan, Targets: r.Targets, State: r.State}
}

// RenewContract starts the term after a contract's, for the same
// organisation, funding and targets, and ends the old one. A retry with
// the same new ID writes nothing twice.
func (s *Store) RenewContract(ctx context.Context, oldID, newID uuid.UUID, start, end time.Time, actor string) error {
	return s.inTx(ctx, func(tx pgx.Tx, q *db.Queries) error {
		n, err := q.InsertRenewedContract(ctx, db.InsertRenewedContractParams{OldID: oldID, NewID: newID, TermStart: start, TermEnd: end})
		if err != nil || n == 0 {
			if err == nil {
				exists, err := q.ContractExists(ctx, newID)
				if err != nil {
					return err
				}
				if !exists {
					return fmt.Errorf("contract %s: %w", oldID, ErrNotFound)
				}
			}
			return err
		}
		if err := q.EndContract(ctx, oldID); err != nil {
			return err
		}
		return AppendAudit(ctx, tx, AuditEntry{Actor: actor, Action: "contract.renewed", ObjectType: "contract", ObjectID: newID.String(),
			Detail: mustJSON(map[string]any{"previous": oldID, "term_start": start.Format(time.DateOnly), "term_end": end.Format(time.DateOnly)})})
	})
}

// GetContract returns a contract or ErrNotFound.
func (s *Store) GetContract(ctx context.Context, id uuid.UUID) (Contract, error) {
	r, err := s.q.GetContract(ctx, id)
	return contractFromDB(r), notFound(err)
}

// TerminateContract ends a contract early because its organisation exits.
func (s *Store) TerminateContract(ctx context.Context, id uuid.UUID, reason, actor string) error {
	return s.inTx(ctx, func(tx pgx.Tx, q *db.Queries) error {
		n, err := q.TerminateContract(ctx, id)
		if err != nil || n == 0 {
			return err
		}
		return AppendAudit(ctx, tx, AuditEntry{Actor: actor, Action: "contract.terminated", ObjectType: "contract", ObjectID: id.String(),
			Detail: mustJSON(map[string]any{"reason": reason})})
	})
}
