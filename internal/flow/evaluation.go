package flow

import (
	"time"

	"github.com/google/uuid"
)

// Cycle states.
const (
	CycleStarting   = "starting"   // stations are being started
	CycleRunning    = "running"    // every station is started; evaluations go on
	CycleCompleted  = "completed"  // every station has finished
	CycleCancelling = "cancelling" // the office cancelled; stations are being stopped
	CycleCancelled  = "cancelled"
)

// A station's states in a cycle.
const (
	EvalPending        = "pending"
	EvalSelfAssessment = "self_assessment"
	EvalEvaluation     = "evaluation"
	EvalArbitration    = "arbitration"
	EvalDecision       = "decision"
	EvalAppeal         = "appeal"
	EvalConditions     = "conditions"
	EvalDone           = "done"
	EvalFailed         = "failed"
	EvalCancelled      = "cancelled"
)

// Evaluation and cycle names.
const (
	AppealUpdate    = "appeal"
	EvaluationQuery = "evaluation"
	// StationsFinishedSignal tells a cycle that its last station finished.
	StationsFinishedSignal = "stations_finished"
)

// GradeBand is one grade of a cycle: a total at or above Min (and below
// the next better band's Min) earns it. It has the fields of the grading
// package's band, so one converts to the other.
type GradeBand struct {
	Grade string  `json:"grade"`
	Label string  `json:"label"`
	Min   float64 `json:"min"`
}

// CycleSettings is what an office starts a cycle with, frozen into the
// cycle and into each station's evaluation.
type CycleSettings struct {
	RegionCode            string      `json:"region_code"`
	Year                  int         `json:"year"`
	RubricVersion         string      `json:"rubric_version"`
	Bands                 []GradeBand `json:"bands"`
	SelfAssessmentDue     time.Time   `json:"self_assessment_due"`
	EvaluationDue         time.Time   `json:"evaluation_due"`
	EvaluatorsPerStation  int         `json:"evaluators_per_station"`
	DisagreementThreshold float64     `json:"disagreement_threshold"`
	OnDisagreement        string      `json:"on_disagreement"`
	AppealWorkdays        int         `json:"appeal_workdays"`
	MinTermDays           int         `json:"min_term_days"`
}

// CycleInput starts (or continues) a cycle. Progress is carried across
// continue-as-new.
type CycleInput struct {
	CycleID  uuid.UUID     `json:"cycle_id"`
	Settings CycleSettings `json:"settings"`
	// Cursor is the last station started; Started counts them; Fanned says
	// every station has been started.
	Cursor  uuid.UUID `json:"cursor,omitzero"`
	Started int       `json:"started"`
	Fanned  bool      `json:"fanned,omitempty"`
	// PollEvery is how often the cycle counts its unfinished stations
	// besides being told when the last one finishes; the workflow's
	// default when zero.
	PollEvery time.Duration `json:"poll_every,omitempty"`
}

// StartBatch asks for the next page of a cycle's stations to be started.
type StartBatch struct {
	CycleID         uuid.UUID     `json:"cycle_id"`
	CycleWorkflowID string        `json:"cycle_workflow_id"`
	Settings        CycleSettings `json:"settings"`
	After           uuid.UUID     `json:"after,omitzero"` // the last station started; none for the first page
	Limit           int           `json:"limit"`
	Started         int           `json:"started"` // stations started before this page
}

// BatchStarted is how far a batch got.
type BatchStarted struct {
	Last    uuid.UUID `json:"last,omitzero"`
	Started int       `json:"started"` // stations started in all, this page included
	Done    bool      `json:"done"`    // no stations are left after Last
}

// CycleStateChange moves a cycle to a state.
type CycleStateChange struct {
	CycleID    uuid.UUID `json:"cycle_id"`
	State      string    `json:"state"`
	Started    int       `json:"started"`
	WorkflowID string    `json:"workflow_id"`
}

// CancelBatch asks for the next page of a cancelled cycle's unfinished
// stations to be stopped.
type CancelBatch struct {
	CycleID    uuid.UUID `json:"cycle_id"`
	Limit      int       `json:"limit"`
	WorkflowID string    `json:"workflow_id"`
}

// EvaluationStart is what every evaluation of a cycle starts with: the
// cycle's frozen settings and one station.
type EvaluationStart struct {
	CycleID         uuid.UUID     `json:"cycle_id"`
	CycleWorkflowID string        `json:"cycle_workflow_id"`
	Settings        CycleSettings `json:"settings"`
	StationID       uuid.UUID     `json:"station_id"`
	Level           string        `json:"level"`
	RegionCode      string        `json:"region_code"`
	OrganisationID  uuid.UUID     `json:"organisation_id,omitzero"`
	ContractID      uuid.UUID     `json:"contract_id,omitzero"`
}

// AppealRequest is an organisation's appeal against the decision.
type AppealRequest struct {
	Caller Caller `json:"caller"`
	Reason string `json:"reason"`
}

// AppealAccepted answers AppealUpdate.
type AppealAccepted struct {
	ReviewTaskID uuid.UUID `json:"review_task_id"`
	Office       string    `json:"office"`
}

// EvaluationStatus answers EvaluationQuery.
type EvaluationStatus struct {
	State       string    `json:"state"`
	AppealUntil time.Time `json:"appeal_until,omitzero"`
	Decision    string    `json:"decision,omitempty"`
}

// EvaluationOutcome is how a station's evaluation ended.
type EvaluationOutcome struct {
	Total         float64 `json:"total"`
	Grade         string  `json:"grade"`
	Proposal      string  `json:"proposal"`
	Decision      string  `json:"decision"`
	FinalDecision string  `json:"final_decision"`
}

// EvaluationUpdate is what an evaluation projects about its station. Nil
// fields (and a nil scorecard ID) leave the stored value as it is.
type EvaluationUpdate struct {
	CycleID         uuid.UUID  `json:"cycle_id"`
	StationID       uuid.UUID  `json:"station_id"`
	State           string     `json:"state"`
	Failure         string     `json:"failure,omitempty"`
	SelfAssessment  *float64   `json:"self_assessment,omitempty"`
	FundingUsedYuan *float64   `json:"funding_used_yuan,omitempty"`
	Total           *float64   `json:"total,omitempty"`
	Grade           *string    `json:"grade,omitempty"`
	Arbitrated      bool       `json:"arbitrated,omitempty"`
	ScorecardID     uuid.UUID  `json:"scorecard_id,omitzero"`
	Proposal        *string    `json:"proposal,omitempty"`
	Decision        *string    `json:"decision,omitempty"`
	DecisionReason  *string    `json:"decision_reason,omitempty"`
	Appeal          *string    `json:"appeal,omitempty"`
	AppealReason    *string    `json:"appeal_reason,omitempty"`
	FinalDecision   *string    `json:"final_decision,omitempty"`
	AppealUntil     *time.Time `json:"appeal_until,omitempty"`
	ConditionsDue   *time.Time `json:"conditions_due,omitempty"`
	Version         int64      `json:"version"`
	Event           string     `json:"event"`
	Actor           string     `json:"actor"`
	Reason          string     `json:"reason,omitempty"`
}

// EvaluationProjection is a station's progress through a cycle.
type EvaluationProjection struct {
	Update          EvaluationUpdate `json:"update"`
	CycleWorkflowID string           `json:"cycle_workflow_id"`
	WorkflowID      string           `json:"workflow_id"`
}

// EvaluatorRequest asks for a station's evaluation slot to be given its
// evaluator.
type EvaluatorRequest struct {
	CycleID        uuid.UUID `json:"cycle_id"`
	StationID      uuid.UUID `json:"station_id"`
	RegionCode     string    `json:"region_code"`
	OrganisationID uuid.UUID `json:"organisation_id,omitzero"`
	Slot           int       `json:"slot"`
	TaskID         uuid.UUID `json:"task_id"`
	WorkflowID     string    `json:"workflow_id"`
}

// FiledEvaluation is one evaluator's total to record.
type FiledEvaluation struct {
	CycleID   uuid.UUID `json:"cycle_id"`
	StationID uuid.UUID `json:"station_id"`
	Slot      int       `json:"slot"`
	Total     float64   `json:"total"`
	Passed    bool      `json:"passed"`
}

// OpenItemsRequest names the station, and optionally the items to check.
type OpenItemsRequest struct {
	StationID uuid.UUID   `json:"station_id"`
	Only      []uuid.UUID `json:"only,omitempty"`
}

// OpenItems are a station's rectification items not yet verified.
type OpenItems struct {
	IDs      []uuid.UUID `json:"ids"`
	Critical int         `json:"critical"`
}

// Renewal renews a station's operator for a new term, or (Exit set) ends
// its contract so the station is tendered again.
type Renewal struct {
	StationWorkflowID string    `json:"station_workflow_id"`
	StationID         uuid.UUID `json:"station_id"`
	OldContractID     uuid.UUID `json:"old_contract_id"`
	NewContractID     uuid.UUID `json:"new_contract_id,omitzero"`
	Start             time.Time `json:"start,omitzero"`
	End               time.Time `json:"end,omitzero"`
	Exit              bool      `json:"exit,omitempty"`
	Reason            string    `json:"reason"`
	UpdateID          string    `json:"update_id"`
	WorkflowID        string    `json:"workflow_id"`
}
