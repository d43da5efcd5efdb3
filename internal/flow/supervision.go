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

// Scorecard is a scored form's computed result. It has the fields of the
// rubric's own scorecard, so one converts to the other.
type Scorecard struct {
	RubricVersion    string            `json:"rubric_version"`
	Total            float64           `json:"total"`
	Passed           bool              `json:"passed"`
	Sections         []SectionResult   `json:"sections"`
	FailedIndicators []FailedIndicator `json:"failed_indicators"`
	FailedCritical   []string          `json:"failed_critical"`
}

// SectionResult is one section's result on a scorecard.
type SectionResult struct {
	ID      string  `json:"id"`
	Name    string  `json:"name"`
	Weight  float64 `json:"weight"`
	Points  float64 `json:"points"`
	Max     float64 `json:"max"`
	Percent float64 `json:"percent"`
	NA      bool    `json:"na"`
}

// FailedIndicator is an indicator scored below its fail line.
type FailedIndicator struct {
	ID        string  `json:"id"`
	Name      string  `json:"name"`
	Section   string  `json:"section"`
	Points    float64 `json:"points"`
	MaxPoints int     `json:"max_points"`
	Critical  bool    `json:"critical"`
	Comment   string  `json:"comment"`
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
