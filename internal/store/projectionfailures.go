package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/stationflow/stationflow/internal/store/db"
)

// ProjectionFailure is a workflow's write of the read model that failed
// for good: the workflow waits for a retry instead of failing its step.
// It holds identifiers and an error class only.
type ProjectionFailure struct {
	ID         uuid.UUID  `json:"id"`
	WorkflowID string     `json:"workflow_id"`
	RunID      string     `json:"run_id"`
	Activity   string     `json:"activity"`
	ErrorClass string     `json:"error_class"`
	StationID  *uuid.UUID `json:"station_id"`
	RegionCode string     `json:"region_code"`
	FailedAt   time.Time  `json:"failed_at"`
	RetriedAt  *time.Time `json:"retried_at"`
	RetriedBy  *string    `json:"retried_by"`
}

// ProjectionFailureCount is how many open failures one activity has of
// one error class.
type ProjectionFailureCount struct {
	Activity   string
	ErrorClass string
	Failures   int
}

func projectionFailureFromDB(r db.ProjectionFailure) ProjectionFailure {
	return ProjectionFailure{ID: r.ID, WorkflowID: r.WorkflowID, RunID: r.RunID, Activity: r.Activity, ErrorClass: r.ErrorClass,
		StationID: r.StationID, RegionCode: r.RegionCode, FailedAt: r.FailedAt, RetriedAt: r.RetriedAt, RetriedBy: r.RetriedBy}
}

// maxProjectionFailures caps a list of open failures: more than this many
// is an outage, which the metric says better than a list.
const maxProjectionFailures = 500

// RecordProjectionFailure writes a failure once per ID.
func (s *Store) RecordProjectionFailure(ctx context.Context, f ProjectionFailure) error {
	return s.q.RecordProjectionFailure(ctx, db.RecordProjectionFailureParams{ID: f.ID, WorkflowID: f.WorkflowID, RunID: f.RunID,
		Activity: f.Activity, ErrorClass: f.ErrorClass, StationID: f.StationID, RegionCode: f.RegionCode})
}

// OpenProjectionFailures lists the failures no retry was asked for in the
// region given by its code's prefix (everywhere when empty), oldest first.
func (s *Store) OpenProjectionFailures(ctx context.Context, regionPrefix string) ([]ProjectionFailure, error) {
	rows, err := s.q.OpenProjectionFailures(ctx, db.OpenProjectionFailuresParams{RegionPrefix: regionPrefix, MaxRows: maxProjectionFailures})
	return mapRows(rows, projectionFailureFromDB), err
}

// GetProjectionFailure reads one failure.
func (s *Store) GetProjectionFailure(ctx context.Context, id uuid.UUID) (ProjectionFailure, error) {
	r, err := s.q.GetProjectionFailure(ctx, id)
	if errors.Is(err, pgx.ErrNoRows) {
		return ProjectionFailure{}, fmt.Errorf("projection failure %s: %w", id, ErrNotFound)
	}
	return projectionFailureFromDB(r), err
}

// MarkProjectionRetried records that a retry was asked for; a failure
// retried already is ErrConflict.
func (s *Store) MarkProjectionRetried(ctx context.Context, id uuid.UUID, by string) error {
	n, err := s.q.MarkProjectionRetried(ctx, db.MarkProjectionRetriedParams{ID: id, RetriedBy: &by})
	if err == nil && n == 0 {
		err = fmt.Errorf("projection failure %s was retried already: %w", id, ErrConflict)
	}
	return err
}

// CountOpenProjectionFailures counts the open failures by activity and
// error class.
func (s *Store) CountOpenProjectionFailures(ctx context.Context) ([]ProjectionFailureCount, error) {
	rows, err := s.q.CountOpenProjectionFailures(ctx)
	return mapRows(rows, func(r db.CountOpenProjectionFailuresRow) ProjectionFailureCount {
		return ProjectionFailureCount{Activity: r.Activity, ErrorClass: r.ErrorClass, Failures: r.Failures}
	}), err
}
