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

// ContractView is a contract as people read it: its funding in whole fen,
// its state as of today (an active contract whose term is past is ended),
// the contract it renews and the application that started it (nil for a
// renewal, which follows its previous contract back to one).
type ContractView struct {
	ID                 uuid.UUID       `json:"id"`
	StationID          uuid.UUID       `json:"station_id"`
	OrganisationID     uuid.UUID       `json:"organisation_id"`
	TermStart          string          `json:"term_start"`
	TermEnd            string          `json:"term_end"`
	FundingFen         int64           `json:"funding_fen"`
	Targets            json.RawMessage `json:"targets"`
	State              string          `json:"state"`
	PreviousContractID *uuid.UUID      `json:"previous_contract_id"`
	ApplicationID      *uuid.UUID      `json:"application_id"`
	CreatedAt          time.Time       `json:"created_at"`
}

// ContractFilter picks contracts: a station's (StationID), one contract
// (ID), either cut to one organisation's (OrganisationID); Today is the
// day the state is read as of.
type ContractFilter struct {
	StationID, ID, OrganisationID *uuid.UUID
	Today                         time.Time
}

// ContractViews lists the contracts the filter picks, newest first.
func (s *Store) ContractViews(ctx context.Context, f ContractFilter) ([]ContractView, error) {
	rows, err := s.q.ContractViews(ctx, db.ContractViewsParams{Today: f.Today, StationID: f.StationID, ContractID: f.ID,
		OrganisationID: f.OrganisationID})
	return mapRows(rows, func(r db.ContractViewsRow) ContractView {
		return ContractView{ID: r.ID, StationID: r.StationID, OrganisationID: r.OrganisationID, TermStart: r.TermStart.Format(time.DateOnly),
			TermEnd: r.TermEnd.Format(time.DateOnly), FundingFen: r.FundingFen, Targets: json.RawMessage(r.Targets), State: r.State,
			PreviousContractID: r.PreviousID, ApplicationID: r.ApplicationID, CreatedAt: r.CreatedAt}
	}), err
}
