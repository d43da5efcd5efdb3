package flow

import "github.com/google/uuid"

// RetryProjectionSignal asks a workflow that holds a failed projection to
// try it again. One signal re-drives one held projection; a projection
// that fails again is recorded again.
const RetryProjectionSignal = "retry_projection"

// ErrClassTimeout is the error class of a projection that ran past its
// deadline, retrying, without landing.
const ErrClassTimeout = "Timeout"

// ProjectionFailure is what a workflow records when a projection failed
// for good: identifiers and an error class, never the projection itself,
// so that recording it cannot fail for the same reason.
type ProjectionFailure struct {
	ID         uuid.UUID // derived from the workflow's run and step: a retried recording writes once
	WorkflowID string
	RunID      string
	Activity   string // the projection's activity name
	ErrorClass string // the activity's error type, or ErrClassTimeout
	StationID  uuid.UUID
	RegionCode string
}
