package store

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/stationflow/stationflow/internal/store/db"
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

// MarshalJSON writes the application with its documents: each of
// DocumentIDs with where it is downloaded.
func (a Application) MarshalJSON() ([]byte, error) {
	type fields Application
	return json.Marshal(struct {
		fields
		Documents []FileLink `json:"documents"`
	}{fields(a), FileLinks(a.DocumentIDs)})
}

// CreateApplication stores an application and its documents in one
// transaction with an audit row.
func (s *Store) CreateApplication(ctx context.Context, actor string, app Application, docs []UploadedFile) (Application, error) {
	app.ID = NewID()
	app.State = AppSubmitted
	app.Round = 1
	err := s.inTx(ctx, func(tx pgx.Tx, q *db.Queries) error {
		for _, d := range docs {
			id := NewID()
			sum := sha256.Sum256(d.Content)
			if err := q.InsertApplicationDocument(ctx, db.InsertApplicationDocumentParams{ID: id, Sha256: sum[:], SizeBytes: int64(len(d.Content)),
				ContentType: d.ContentType, Filename: d.Filename, Content: d.Content, OwnerOrg: &app.OrganisationID,
				StationID: &app.StationID}); err != nil {
				return err
			}
			app.DocumentIDs = append(app.DocumentIDs, id)
		}
		if app.DocumentIDs == nil {
			app.DocumentIDs = []uuid.UUID{}
		}
		at, err := q.InsertApplication(ctx, db.InsertApplicationParams{ID: app.ID, StationID: app.StationID, OrganisationID: app.OrganisationID,
			State: app.State, Staffing: app.Staffing, Targets: app.Targets, BudgetYuan: app.BudgetYuan, DocumentIds: app.DocumentIDs})
		if err != nil {
			return err
		}
		app.CreatedAt, app.UpdatedAt = at.CreatedAt, at.UpdatedAt
		return AppendAudit(ctx, tx, AuditEntry{Actor: actor, Action: "application.submitted", ObjectType: "application",
			ObjectID: app.ID.String(), Detail: mustJSON(map[string]any{"station_id": app.StationID, "organisation_id": app.OrganisationID,
				"documents": len(docs)})})
	})
	return app, err
}

// GetApplication returns one application or ErrNotFound.
func (s *Store) GetApplication(ctx context.Context, id uuid.UUID) (Application, error) {
	r, err := s.q.GetApplication(ctx, id)
	return applicationFromDB(r), notFound(err)
}

func applicationFromDB(r db.Application) Application {
	return Application{ID: r.ID, StationID: r.StationID, OrganisationID: r.OrganisationID, State: r.State, Staffing: r.Staffing,
		Targets: r.Targets, BudgetYuan: r.BudgetYuan, DocumentIDs: r.DocumentIds, Round: r.Round, ReviewTaskID: r.ReviewTaskID,
		DecisionReason: r.DecisionReason, ContractID: r.ContractID, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

// ApplicationsAwaitingReview returns applications submitted more than
// olderThan ago whose station workflow has not taken them yet: a crash
// between storing one and handing it to the workflow is mended by sending
// it again (the hand-over is idempotent).
func (s *Store) ApplicationsAwaitingReview(ctx context.Context, olderThan time.Duration, limit int) ([]Application, error) {
	rows, err := s.q.ApplicationsAwaitingReview(ctx, db.ApplicationsAwaitingReviewParams{OlderThan: interval(olderThan), MaxRows: limit})
	return mapRows(rows, applicationFromDB), err
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
	return s.inTx(ctx, func(tx pgx.Tx, q *db.Queries) error {
		n, err := q.ProjectApplication(ctx, db.ProjectApplicationParams{ID: p.ID, State: p.State, Round: p.Round, ReviewTaskID: p.ReviewTaskID,
			DecisionReason: p.DecisionReason, ContractID: p.ContractID, Version: p.Version})
		if err != nil || n == 0 {
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
	return s.inTx(ctx, func(tx pgx.Tx, q *db.Queries) error {
		n, err := q.AmendApplication(ctx, db.AmendApplicationParams{ID: id, Staffing: staffing, Targets: targets, BudgetYuan: budget, Round: round})
		if err != nil || n == 0 {
			return err
		}
		return AppendAudit(ctx, tx, AuditEntry{Actor: actor, Action: "application.amended", ObjectType: "application",
			ObjectID: id.String(), Detail: mustJSON(map[string]any{"round": round})})
	})
}

// CloseUnreviewedApplication closes an application its station refused to
// review (the station was no longer open), with the reason.
func (s *Store) CloseUnreviewedApplication(ctx context.Context, id uuid.UUID, reason, actor string) error {
	return s.inTx(ctx, func(tx pgx.Tx, q *db.Queries) error {
		n, err := q.CloseUnreviewedApplication(ctx, db.CloseUnreviewedApplicationParams{ID: id, Reason: reason})
		if err != nil || n == 0 {
			return err
		}
		return AppendAudit(ctx, tx, AuditEntry{Actor: actor, Action: "application.closed", ObjectType: "application",
			ObjectID: id.String(), Detail: mustJSON(map[string]string{"reason": reason})})
	})
}
