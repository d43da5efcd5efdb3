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
	"github.com/stationflow/stationflow/internal/rubric"
	"github.com/stationflow/stationflow/internal/store"
)

// Error types that activities return as non-retryable.
const (
	ErrTypeNotFound = "NotFound" // the object the activity works on does not exist
	ErrTypeInvalid  = "Invalid"  // the input cannot be acted on, however often it is tried
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
	Policies map[string]TaskPolicy
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

func parseID(field, s string) (uuid.UUID, error) {
	id, err := uuid.Parse(s)
	if err != nil {
		return uuid.Nil, invalid("%s %q is not an ID", field, s)
	}
	return id, nil
}
