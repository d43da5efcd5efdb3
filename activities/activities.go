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
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"
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
	// ErrTypeData is a PostgreSQL data exception or integrity violation
	// (permanentDataError): the same row fails the same way on every try.
	ErrTypeData = "DataError"
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
// Every activity returns its store errors through it.
func classify(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrNotFound):
		return temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeNotFound, err)
	case permanentDataError(err):
		return temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeData, err)
	default:
		return err
	}
}

// permanentDataError reports whether err is one PostgreSQL will give again
// for the same row however often it is retried: a data exception (SQLSTATE
// class 22, such as U+0000 in text or a value out of range) or an integrity
// violation (class 23). A unique or exclusion violation is left to retry:
// the store turns its expected idempotent conflicts into answers, and one
// that still escapes is a race with a concurrent writer, which the retry
// finds already done. Connection, serialization and deadlock errors
// (classes 08, 40, 57) are transient and retried too.
func permanentDataError(err error) bool {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return false
	}
	switch pgErr.Code {
	case "23505", "23P01": // unique_violation, exclusion_violation
		return false
	}
	return strings.HasPrefix(pgErr.Code, "22") || strings.HasPrefix(pgErr.Code, "23")
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
