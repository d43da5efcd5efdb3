// Package activities is where stationflow's workflows touch the world: they
// project workflow state into PostgreSQL read models and write the audit
// log. Every activity is idempotent (its writes carry a key derived from the
// workflow and its purpose) and classifies its errors on purpose: a failure
// that retrying cannot mend is returned as a non-retryable application
// error of one of the ErrType names below; everything else is retried.
package activities

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/stationflow/stationflow/internal/calendar"
	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/rubric"
	"github.com/stationflow/stationflow/internal/store"
)

// Error types that activities return as non-retryable; flow names them
// because the workflows' retry policies refer to them.
const (
	ErrTypeNotFound = flow.ErrTypeNotFound
	ErrTypeInvalid  = flow.ErrTypeInvalid
)

// Activities holds the dependencies of every activity.
type Activities struct {
	Store  *store.Store
	Logger *slog.Logger
	// Calendar counts working days; Workday, when set, replaces it with a
	// fixed wall-clock length per working day for demos.
	Calendar *calendar.Calendar
	Workday  time.Duration
	// Policies holds each task kind's durations; DefaultTaskPolicy otherwise.
	Policies map[string]flow.TaskPolicy
	// Rubrics are the scoring sheets; SupervisionRubric pins the version new
	// supervisions use (empty: the latest).
	Rubrics           rubric.Set
	SupervisionRubric string
	// QuarterWorkdays is a quarter's length in working days under a demo
	// time scale (Workday set); DefaultQuarterWorkdays when zero.
	QuarterWorkdays int
	// Temporal and TaskQueue let the cycle's activities start, update,
	// signal and cancel workflows; a cycle cannot run without them.
	Temporal  client.Client
	TaskQueue string
}

// classify turns a store error into what Temporal should do with it.
func classify(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrNotFound):
		return temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeNotFound, err)
	default:
		return err
	}
}

func invalid(format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	return temporal.NewNonRetryableApplicationError(msg, ErrTypeInvalid, nil)
}

// optional maps an ID that may be absent (the zero UUID) to the store's
// nullable column.
func optional(id uuid.UUID) *uuid.UUID {
	if id == uuid.Nil {
		return nil
	}
	return &id
}

// workflowActor names a workflow in the audit log.
func workflowActor(workflowID string) string { return "workflow:" + workflowID }
