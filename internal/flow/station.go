package flow

import (
	"encoding/json"
	"time"

	"github.com/google/uuid"
)

// Station phases.
const (
	PhaseAwaitingOperator = "awaiting_operator"
	PhaseOperating        = "operating"
)

// Station workflow names.
const (
	// StatusQuery answers a station workflow's current status.
	StatusQuery = "status"
	// SubmitApplicationUpdate hands a stored application to its station for review.
	SubmitApplicationUpdate = "submit_application"
	// RenewUpdate and ExitUpdate apply an evaluation's final decision.
	RenewUpdate = "renew"
	ExitUpdate  = "exit"
)

// Application states, as the review process moves them.
const (
	AppUnderReview        = "under_review"
	AppAmendmentRequested = "amendment_requested"
	AppApproved           = "approved"
	AppRejected           = "rejected"
	AppClosed             = "closed"
)

// StationRef names the station a piece of work belongs to.
type StationRef struct {
	StationID  uuid.UUID `json:"station_id"`
	Level      string    `json:"level"`
	RegionCode string    `json:"region_code"`
}

// StationInput starts (or continues) a station's lifecycle. State is empty
// on the first run and carried across continue-as-new.
type StationInput struct {
	StationID  uuid.UUID    `json:"station_id"`
	Level      string       `json:"level"`
	RegionCode string       `json:"region_code"`
	State      StationState `json:"state"`
}

// NewStationInput is the input of a new station's first run: it awaits an
// operator, at the projection version its row was created with.
func NewStationInput(stationID uuid.UUID, level, regionCode string, version int64) StationInput {
	return StationInput{StationID: stationID, Level: level, RegionCode: regionCode,
		State: StationState{Phase: PhaseAwaitingOperator, Version: version}}
}

// StationState is everything the lifecycle carries from one run to the next.
type StationState struct {
	Phase      string    `json:"phase"`
	OperatorID uuid.UUID `json:"operator_id,omitzero"`
	ContractID uuid.UUID `json:"contract_id,omitzero"`
	// Version counts the changes the workflow has projected; the read model
	// uses it to ignore repeated or late writes.
	Version int64 `json:"version"`
	// Term is the running contract's term; NextQuarter is the index of its
	// next quarter to open for supervision.
	Term        *Term `json:"term,omitempty"`
	NextQuarter int   `json:"next_quarter,omitempty"`
}

// Term is a contract term. Anchor is the workflow time it began, which a
// demo time scale counts its quarters from.
type Term struct {
	Start  time.Time `json:"start"`
	End    time.Time `json:"end"`
	Anchor time.Time `json:"anchor"`
}

// StationStatus answers StatusQuery.
type StationStatus struct {
	StationID    uuid.UUID   `json:"station_id"`
	Level        string      `json:"level"`
	RegionCode   string      `json:"region_code"`
	Phase        string      `json:"phase"`
	OperatorID   uuid.UUID   `json:"operator_id,omitzero"`
	ContractID   uuid.UUID   `json:"contract_id,omitzero"`
	Version      int64       `json:"version"`
	Applications []uuid.UUID `json:"applications_in_review"`
}

// ApplicationSubmission names an application stored in PostgreSQL.
type ApplicationSubmission struct {
	ApplicationID    uuid.UUID `json:"application_id"`
	OrganisationID   uuid.UUID `json:"organisation_id"`
	OrganisationCode string    `json:"organisation_code"`
}

// SubmissionAccepted answers SubmitApplicationUpdate.
type SubmissionAccepted struct {
	ApplicationID uuid.UUID `json:"application_id"`
	ReviewTaskID  uuid.UUID `json:"review_task_id"`
	State         string    `json:"state"`
}

// StationChange is what the station workflow is told by a renewal or an
// exit.
type StationChange struct {
	ContractID uuid.UUID `json:"contract_id"`
	Start      time.Time `json:"start,omitzero"`
	End        time.Time `json:"end,omitzero"`
	Reason     string    `json:"reason"`
}

// StationProjection is a station workflow's state to write to the read model.
type StationProjection struct {
	StationID  uuid.UUID `json:"station_id"`
	Phase      string    `json:"phase"`
	OperatorID uuid.UUID `json:"operator_id,omitzero"`
	Version    int64     `json:"version"`
	Reason     string    `json:"reason"`
	WorkflowID string    `json:"workflow_id"`
}

// ApplicationUpdate is the review process's view of an application.
type ApplicationUpdate struct {
	ApplicationID uuid.UUID `json:"application_id"`
	State         string    `json:"state"`
	Round         int       `json:"round"`
	ReviewTaskID  uuid.UUID `json:"review_task_id,omitzero"`
	Reason        string    `json:"reason,omitempty"`
	ContractID    uuid.UUID `json:"contract_id,omitzero"`
	Version       int64     `json:"version"`
	WorkflowID    string    `json:"workflow_id"`
}

// Amendment is the plan an organisation filed again, for its next round.
type Amendment struct {
	ApplicationID uuid.UUID       `json:"application_id"`
	Round         int             `json:"round"`
	Form          json.RawMessage `json:"form"`
	Actor         string          `json:"actor"`
}

// ContractRequest starts the contract an approval grants.
type ContractRequest struct {
	ContractID    uuid.UUID `json:"contract_id"`
	ApplicationID uuid.UUID `json:"application_id"`
	Start         time.Time `json:"start"`
	End           time.Time `json:"end"`
	WorkflowID    string    `json:"workflow_id"`
}

// ContractTerm is a contract's term, which a renewal follows.
type ContractTerm struct {
	ID        uuid.UUID `json:"id"`
	TermStart time.Time `json:"term_start"`
	TermEnd   time.Time `json:"term_end"`
}
