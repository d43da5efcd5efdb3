package store

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// Application states.
const (
	AppSubmitted          = "submitted"
	AppUnderReview        = "under_review"
	AppAmendmentRequested = "amendment_requested"
	AppApproved           = "approved"
	AppRejected           = "rejected"
	AppClosed             = "closed"
)

// Application is an organisation's application to run a station.
type Application struct {
	ID             uuid.UUID       `json:"id"`
	StationID      uuid.UUID       `json:"station_id"`
	OrganisationID uuid.UUID       `json:"organisation_id"`
	State          string          `json:"state"`
	Staffing       json.RawMessage `json:"staffing"`
	Targets        json.RawMessage `json:"targets"`
	BudgetYuan     float64         `json:"budget_yuan"`
	DocumentIDs    []uuid.UUID     `json:"document_ids"`
	Round          int             `json:"round"`
	ReviewTaskID   *uuid.UUID      `json:"review_task_id"`
	DecisionReason string          `json:"decision_reason"`
	ContractID     *uuid.UUID      `json:"contract_id"`
	CreatedAt      time.Time       `json:"created_at"`
	UpdatedAt      time.Time       `json:"updated_at"`
}

// CreateApplication stores an application and its documents in one
// transaction with an audit row.
func (s *Store) CreateApplication(ctx context.Context, actor string, app Application, docs []UploadedFile) (Application, error) {
	app.ID = NewID()
	app.State = AppSubmitted
	app.Round = 1
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		for _, d := range docs {
			id := NewID()
			sum := sha256.Sum256(d.Content)
			if _, err := tx.Exec(ctx, `INSERT INTO files (id, sha256, size_bytes, content_type, filename, content, owner_org, station_id)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, id, sum[:], len(d.Content), d.ContentType, d.Filename, d.Content,
				app.OrganisationID, app.StationID); err != nil {
				return err
			}
			app.DocumentIDs = append(app.DocumentIDs, id)
		}
		if app.DocumentIDs == nil {
			app.DocumentIDs = []uuid.UUID{}
		}
		if err := tx.QueryRow(ctx, `INSERT INTO applications (id, station_id, organisation_id, state, staffing, targets, budget_yuan, document_ids)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING created_at, updated_at`,
			app.ID, app.StationID, app.OrganisationID, app.State, string(app.Staffing), string(app.Targets), app.BudgetYuan, app.DocumentIDs,
		).Scan(&app.CreatedAt, &app.UpdatedAt); err != nil {
			return err
		}
		return AppendAudit(ctx, tx, AuditEntry{Actor: actor, Action: "application.submitted", ObjectType: "application",
			ObjectID: app.ID.String(), Detail: mustJSON(map[string]any{"station_id": app.StationID, "organisation_id": app.OrganisationID,
				"documents": len(docs)})})
	})
	return app, err
}

const applicationColumns = `id, station_id, organisation_id, state, staffing::text, targets::text, budget_yuan::float8, document_ids,
	round, review_task_id, decision_reason, contract_id, created_at, updated_at`

func scanApplication(r pgx.CollectableRow) (Application, error) {
	var a Application
	var staffing, targets string
	err := r.Scan(&a.ID, &a.StationID, &a.OrganisationID, &a.State, &staffing, &targets, &a.BudgetYuan, &a.DocumentIDs,
		&a.Round, &a.ReviewTaskID, &a.DecisionReason, &a.ContractID, &a.CreatedAt, &a.UpdatedAt)
	a.Staffing, a.Targets = json.RawMessage(staffing), json.RawMessage(targets)
	return a, err
}

// GetApplication returns one application or ErrNotFound.
func (s *Store) GetApplication(ctx context.Context, id uuid.UUID) (Application, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+applicationColumns+` FROM applications WHERE id = $1`, id)
	return collectOne(rows, scanApplication)
}

// ApplicationsAwaitingReview returns applications submitted more than
// olderThan ago whose station workflow has not taken them yet: a crash
// between storing one and handing it to the workflow is mended by sending
// it again (the hand-over is idempotent).
func (s *Store) ApplicationsAwaitingReview(ctx context.Context, olderThan time.Duration, limit int) ([]Application, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+applicationColumns+` FROM applications
		WHERE state = 'submitted' AND created_at < now() - $1::interval ORDER BY created_at LIMIT $2`,
		fmt.Sprintf("%d milliseconds", olderThan.Milliseconds()), limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, scanApplication)
}

// ApplicationProjection is the review process's view of an application.
type ApplicationProjection struct {
	ID             uuid.UUID
	State          string
	Round          int
	ReviewTaskID   *uuid.UUID
	DecisionReason string
	ContractID     *uuid.UUID
	Version        int64
	Actor          string
}

// ProjectApplication writes the review's state of an application, with an
// audit row; a repeated version changes nothing.
func (s *Store) ProjectApplication(ctx context.Context, p ApplicationProjection) error {
	return s.InTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE applications SET state = $2, round = $3, review_task_id = coalesce($4, review_task_id),
				decision_reason = $5, contract_id = coalesce($6, contract_id), version = $7, updated_at = now()
			WHERE id = $1 AND version < $7`, p.ID, p.State, p.Round, p.ReviewTaskID, p.DecisionReason, p.ContractID, p.Version)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		detail := map[string]any{"state": p.State, "round": p.Round}
		if p.DecisionReason != "" {
			detail["reason"] = p.DecisionReason
		}
		return AppendAudit(ctx, tx, AuditEntry{Actor: p.Actor, Action: "application." + p.State, ObjectType: "application",
			ObjectID: p.ID.String(), Detail: mustJSON(detail)})
	})
}

// AmendApplication replaces an application's plan with the amended one the
// organisation filed; the same round filed twice changes nothing.
func (s *Store) AmendApplication(ctx context.Context, id uuid.UUID, round int, staffing, targets json.RawMessage, budget float64, actor string) error {
	return s.InTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE applications SET staffing = $2, targets = $3, budget_yuan = $4, round = $5, updated_at = now()
			WHERE id = $1 AND round < $5`, id, string(staffing), string(targets), budget, round)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		return AppendAudit(ctx, tx, AuditEntry{Actor: actor, Action: "application.amended", ObjectType: "application",
			ObjectID: id.String(), Detail: mustJSON(map[string]any{"round": round})})
	})
}

// CloseUnreviewedApplication closes an application its station refused to
// review (the station was no longer open), with the reason.
func (s *Store) CloseUnreviewedApplication(ctx context.Context, id uuid.UUID, reason, actor string) error {
	return s.InTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE applications SET state = 'closed', decision_reason = $2, updated_at = now()
			WHERE id = $1 AND state = 'submitted'`, id, reason)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		return AppendAudit(ctx, tx, AuditEntry{Actor: actor, Action: "application.closed", ObjectType: "application",
			ObjectID: id.String(), Detail: mustJSON(map[string]string{"reason": reason})})
	})
}
