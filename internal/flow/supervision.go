package flow

import (
	"encoding/json"
	"time"

	"github.com/google/uuid"
)

// Rectification states.
const (
	RectificationOpen      = "open"      // waiting for the organisation's response
	RectificationResponded = "responded" // waiting for the verifier
	RectificationVerified  = "verified"  // closed: the fix was accepted
)

// SupervisionInput opens one quarter's supervision of an operating station.
type SupervisionInput struct {
	Station        StationRef `json:"station"`
	OrganisationID uuid.UUID  `json:"organisation_id"`
	ContractID     uuid.UUID  `json:"contract_id"`
	Period         string     `json:"period"`
	// QuarterEnd is the moment the quarter closed; the form's working days
	// are counted from it.
	QuarterEnd time.Time `json:"quarter_end"`
}

// SupervisionOutcome is how a quarter's supervision ended.
type SupervisionOutcome struct {
	Period         string      `json:"period"`
	Missed         bool        `json:"missed"`
	ScorecardID    uuid.UUID   `json:"scorecard_id,omitzero"`
	Total          float64     `json:"total"`
	Passed         bool        `json:"passed"`
	Rectifications []uuid.UUID `json:"rectifications"`
}

// ScheduleRequest asks when each quarter of a contract term opens for
// supervision. Anchor is the moment the term began in the workflow's time;
// only a demo time scale uses it.
type ScheduleRequest struct {
	TermStart time.Time `json:"term_start"`
	TermEnd   time.Time `json:"term_end"`
	Anchor    time.Time `json:"anchor"`
}

// ScheduledQuarter is one quarter of a term and the moment its supervision
// opens: the start of the day after the quarter (or the term) ends, China
// time. Its working days to the due date count from then.
type ScheduledQuarter struct {
	Period  string    `json:"period"`
	OpensAt time.Time `json:"opens_at"`
}

// SupervisionOpening opens a station's quarter for supervision.
type SupervisionOpening struct {
	StationID      uuid.UUID `json:"station_id"`
	RegionCode     string    `json:"region_code"`
	OfficeRegion   string    `json:"office_region"`
	OrganisationID uuid.UUID `json:"organisation_id,omitzero"`
	ContractID     uuid.UUID `json:"contract_id,omitzero"`
	Period         string    `json:"period"`
	TaskID         uuid.UUID `json:"task_id"`
	RubricVersion  string    `json:"rubric_version,omitempty"` // empty: the configured or latest supervision rubric
	WorkflowID     string    `json:"workflow_id"`
}

// SupervisionOpened says who supervises the quarter and with which rubric
// (its JSON document).
type SupervisionOpened struct {
	SupervisorID uuid.UUID       `json:"supervisor_id,omitzero"` // none: no eligible supervisor; the county office holds the task
	Rubric       json.RawMessage `json:"rubric"`
}

// Scorecard is the computed result of a scored form against its rubric.
type Scorecard struct {
	// RubricVersion is the version of the rubric scored against.
	RubricVersion string `json:"rubric_version"`
	// Total is the weighted total, 0 to 100, rounded to 2 decimals.
	Total float64 `json:"total"`
	// Passed: Total reaches the rubric's pass mark and no critical
	// indicator failed.
	Passed bool `json:"passed"`
	// Sections holds the result of each section, in rubric order.
	Sections []SectionResult `json:"sections"`
	// FailedIndicators are the indicators scored below low_score_ratio of
	// their max_points, in rubric order; empty, never null, when none.
	FailedIndicators []FailedIndicator `json:"failed_indicators"`
	// FailedCritical are the ids of the failed critical indicators, in
	// rubric order; empty, never null, when none.
	FailedCritical []string `json:"failed_critical"`
}

// SectionResult is the result of one section.
type SectionResult struct {
	// ID is the section's id.
	ID string `json:"id"`
	// Name is the section's name.
	Name string `json:"name"`
	// Weight is the section's weight in the rubric.
	Weight float64 `json:"weight"`
	// Points is the sum of the points given in the section.
	Points float64 `json:"points"`
	// Max is the sum of max_points of the indicators not N/A.
	Max float64 `json:"max"`
	// Percent is 100*Points/Max, rounded to 2 decimals; 0 when NA.
	Percent float64 `json:"percent"`
	// NA: every indicator of the section was N/A, so the section is left
	// out of the total.
	NA bool `json:"na"`
}

// FailedIndicator is an indicator scored below low_score_ratio of its
// max_points.
type FailedIndicator struct {
	// ID is the indicator's id.
	ID string `json:"id"`
	// Name is the indicator's name.
	Name string `json:"name"`
	// Section is the id of the indicator's section.
	Section string `json:"section"`
	// Points is what the indicator was given.
	Points float64 `json:"points"`
	// MaxPoints is the most it could have been given.
	MaxPoints int `json:"max_points"`
	// Critical: the failure fails the scorecard.
	Critical bool `json:"critical"`
	// Comment is the scorer's explanation.
	Comment string `json:"comment"`
}

// ScorecardDocument is an issued scorecard's content: the computed result
// and the form it came from. Its JSON bytes are stored as they were hashed.
type ScorecardDocument struct {
	StationID      uuid.UUID `json:"station_id"`
	OrganisationID uuid.UUID `json:"organisation_id,omitzero"`
	Kind           string    `json:"kind"`
	Period         string    `json:"period"`
	TaskID         uuid.UUID `json:"task_id"`
	Scorecard
	PassMark float64 `json:"pass_mark"`
	Late     bool    `json:"late"`
	// Scores are the form's scores as filed (the rubric's score objects).
	Scores  json.RawMessage `json:"scores"`
	Summary string          `json:"summary"`
	FiledBy string          `json:"filed_by"`
	FiledAt time.Time       `json:"filed_at"`
	// Annual scorecards only: the grade, each evaluator's total and how
	// the total was reached (mean_of_agreeing or arbitration).
	Grade       string    `json:"grade,omitempty"`
	GradeLabel  string    `json:"grade_label,omitempty"`
	Evaluations []float64 `json:"evaluations,omitempty"`
	Method      string    `json:"method,omitempty"`
	// EvaluatorResults are each evaluator's own scorecard, in slot order,
	// beside the agreed result above (annual scorecards only).
	EvaluatorResults []EvaluatorResult `json:"evaluator_results,omitempty"`
	// ConfirmedFailures are the indicators the office's arbitration
	// confirmed as failed.
	ConfirmedFailures []string `json:"confirmed_failures,omitempty"`
}

// EvaluatorResult is one evaluator's scorecard in an annual evaluation.
type EvaluatorResult struct {
	Slot int `json:"slot"`
	Scorecard
}

// ScorecardIssue asks for a scorecard to be issued under a fixed ID.
type ScorecardIssue struct {
	ScorecardID uuid.UUID         `json:"scorecard_id"`
	RegionCode  string            `json:"region_code"`
	WorkflowID  string            `json:"workflow_id"`
	Document    ScorecardDocument `json:"document"`
}

// MissedSupervision records that the office closed a quarter unfiled.
type MissedSupervision struct {
	StationID  uuid.UUID `json:"station_id"`
	Period     string    `json:"period"`
	Reason     string    `json:"reason"`
	Actor      string    `json:"actor"`
	WorkflowID string    `json:"workflow_id"`
}

// RectificationInput opens a rectification item for a failed indicator.
type RectificationInput struct {
	ItemID         uuid.UUID       `json:"item_id"`
	Station        StationRef      `json:"station"`
	OrganisationID uuid.UUID       `json:"organisation_id,omitzero"`
	ScorecardID    uuid.UUID       `json:"scorecard_id"`
	Period         string          `json:"period"`
	Indicator      FailedIndicator `json:"indicator"`
	Verifier       Assignee        `json:"verifier"`
}

// RectificationItem is a rectification item's state, as its workflow, the
// item's only writer, projects it.
type RectificationItem struct {
	ID                  uuid.UUID   `json:"id"`
	StationID           uuid.UUID   `json:"station_id"`
	OrganisationID      uuid.UUID   `json:"organisation_id,omitzero"`
	RegionCode          string      `json:"region_code"`
	ScorecardID         uuid.UUID   `json:"scorecard_id"`
	Period              string      `json:"period"`
	Indicator           string      `json:"indicator"`
	IndicatorName       string      `json:"indicator_name"`
	Critical            bool        `json:"critical"`
	Points              float64     `json:"points"`
	MaxPoints           int         `json:"max_points"`
	VerifierKind        string      `json:"verifier_kind"`
	VerifierID          string      `json:"verifier_id"`
	State               string      `json:"state"`
	Round               int         `json:"round"`
	TaskID              uuid.UUID   `json:"task_id,omitzero"` // none once verified
	Response            string      `json:"response"`
	EvidenceIDs         []uuid.UUID `json:"evidence_ids"`
	VerificationComment string      `json:"verification_comment"`
	Version             int64       `json:"version"`
}

// RectificationProjection is an item's state to write, with the event.
type RectificationProjection struct {
	Item       RectificationItem `json:"item"`
	Event      string            `json:"event"`
	Actor      string            `json:"actor"`
	Reason     string            `json:"reason,omitempty"`
	WorkflowID string            `json:"workflow_id"`
}
