package flow

import (
	"encoding/json"
	"time"

	"github.com/google/uuid"
)

// Task kinds.
const (
	KindApplicationReview    = "application_review"
	KindApplicationAmendment = "application_amendment"
	KindSupervision          = "quarterly_supervision"
	KindRectification        = "rectification"
	KindRectificationCheck   = "rectification_verification"
	KindSelfAssessment       = "self_assessment"
	KindAnnualEvaluation     = "annual_evaluation"
	KindArbitration          = "arbitration"
	KindRenewalDecision      = "renewal_decision"
	KindAppealReview         = "appeal_review"
)

// TaskKinds lists every kind of human task.
var TaskKinds = []string{KindApplicationReview, KindApplicationAmendment, KindSupervision, KindRectification, KindRectificationCheck,
	KindSelfAssessment, KindAnnualEvaluation, KindArbitration, KindRenewalDecision, KindAppealReview}

// Task states.
const (
	TaskOpen      = "open"
	TaskClaimed   = "claimed"
	TaskEscalated = "escalated"
	TaskCompleted = "completed"
	TaskCancelled = "cancelled"
)

// Update and query names of a human task.
const (
	CompleteUpdate = "complete"
	ClaimUpdate    = "claim"
	ReassignUpdate = "reassign"
	ExtendUpdate   = "extend"
	CloseUpdate    = "close"
	TaskQuery      = "task"
)

// Assignee kinds: an office (ID is its region code), an operating
// organisation or a person (ID is theirs).
const (
	AssignOffice = "office"
	AssignOrg    = "org"
	AssignPerson = "person"
)

// AssigneeKinds lists every assignee kind.
var AssigneeKinds = []string{AssignOffice, AssignOrg, AssignPerson}

// Assignee is who a task is addressed to. ID is a region code for an
// office, so it stays a string.
type Assignee struct {
	Kind string `json:"kind"`
	ID   string `json:"id"`
}

func (a Assignee) String() string { return a.Kind + ":" + a.ID }

// TaskInput starts a human task.
type TaskInput struct {
	TaskID        uuid.UUID `json:"task_id"`
	Kind          string    `json:"kind"`
	StationID     uuid.UUID `json:"station_id"`
	StationLevel  string    `json:"station_level"`
	StationRegion string    `json:"station_region"`
	// SubjectID is what the task is about: an application, a cycle or a
	// rectification item.
	SubjectID uuid.UUID `json:"subject_id,omitzero"`
	Assignee  Assignee  `json:"assignee"`
	Priority  int       `json:"priority"`
	// Period is the quarter the task covers, for supervision.
	Period string `json:"period,omitempty"`
	// Rubric is the scoring sheet (its JSON document) frozen into a scored
	// task when it opens; a later rubric version never changes it.
	Rubric json.RawMessage `json:"rubric,omitempty"`
	// DueFrom, when set, is the moment the working days to the due date are
	// counted from (the end of the quarter a supervision covers), instead of
	// the moment the task opens.
	DueFrom time.Time `json:"due_from,omitzero"`
	// Closable lets the office close the task with a reason, as missed.
	Closable bool `json:"closable,omitempty"`
	// Deadline, when set, is the due moment itself (a cycle's fixed due
	// date) instead of a number of working days.
	Deadline time.Time `json:"deadline,omitzero"`
	// Outcome is what a decision task decides about: the proposed outcome
	// of a renewal decision, the decision appealed in an appeal review.
	Outcome string `json:"outcome,omitempty"`
	// Choices are the indicators an arbitration may confirm as failed:
	// those some but not most evaluators failed.
	Choices []string `json:"choices,omitempty"`
}

// TaskResult is what the parent receives when the task completes.
type TaskResult struct {
	TaskID      uuid.UUID       `json:"task_id"`
	Form        json.RawMessage `json:"form"`
	CompletedBy string          `json:"completed_by"`
	Late        bool            `json:"late"`
	// Closed says the office closed the task without a form, and why.
	Closed      bool   `json:"closed,omitempty"`
	CloseReason string `json:"close_reason,omitempty"`
}

// TaskView answers TaskQuery and is what the read model holds.
type TaskView struct {
	TaskInput
	State           string    `json:"state"`
	DueAt           time.Time `json:"due_at"`
	RemindAt        time.Time `json:"remind_at"`
	Paused          bool      `json:"paused"`
	EscalationLevel int       `json:"escalation_level"`
	EscalatedTo     string    `json:"escalated_to,omitempty"`
	ClaimedBy       string    `json:"claimed_by,omitempty"`
	Version         int64     `json:"version"`
}

// CompleteRequest completes a task with a form of the task's kind.
type CompleteRequest struct {
	Caller Caller          `json:"caller"`
	Form   json.RawMessage `json:"form"`
}

// ClaimRequest takes an office task for the calling token.
type ClaimRequest struct {
	Caller Caller `json:"caller"`
}

// ReassignRequest addresses the task to someone else.
type ReassignRequest struct {
	Caller   Caller   `json:"caller"`
	Assignee Assignee `json:"assignee"`
	Reason   string   `json:"reason"`
}

// CloseRequest closes a closable task without a form, with the reason.
type CloseRequest struct {
	Caller Caller `json:"caller"`
	Reason string `json:"reason"`
}

// ExtendRequest moves the due date by a number of working days, or pauses
// or resumes the task's clock.
type ExtendRequest struct {
	Caller   Caller `json:"caller"`
	Workdays int    `json:"workdays"`
	Pause    bool   `json:"pause"`
	Resume   bool   `json:"resume"`
	Reason   string `json:"reason"`
}

// TaskPolicy is a task kind's durations, in working days. The escalation
// path is never part of it: that comes from the station's region.
type TaskPolicy struct {
	DueWorkdays           int `json:"due_workdays"`
	RemindWorkdaysBefore  int `json:"remind_workdays_before"`
	EscalateEveryWorkdays int `json:"escalate_every_workdays"`
}

// WorkdaysRequest asks for the moment n working days after From.
type WorkdaysRequest struct {
	From     time.Time `json:"from"`
	Workdays int       `json:"workdays"`
}

// SpanRequest asks how many working days lie between two moments.
type SpanRequest struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// TaskProjection is a human task's state to write to the read model, with
// the event that changed it.
type TaskProjection struct {
	TaskID          uuid.UUID       `json:"task_id"`
	WorkflowID      string          `json:"workflow_id"`
	Kind            string          `json:"kind"`
	StationID       uuid.UUID       `json:"station_id"`
	RegionCode      string          `json:"region_code"`
	SubjectID       uuid.UUID       `json:"subject_id,omitzero"`
	AssigneeKind    string          `json:"assignee_kind"`
	AssigneeID      string          `json:"assignee_id"`
	EscalatedTo     string          `json:"escalated_to,omitempty"`
	EscalationLevel int             `json:"escalation_level"`
	State           string          `json:"state"`
	ClaimedBy       string          `json:"claimed_by,omitempty"`
	Priority        int             `json:"priority"`
	DueAt           time.Time       `json:"due_at"`
	Paused          bool            `json:"paused"`
	Result          json.RawMessage `json:"result,omitempty"`
	Period          string          `json:"period,omitempty"`
	Rubric          json.RawMessage `json:"rubric,omitempty"` // sent once, when the task is created
	// Outcome and Choices, like the rubric, are sent once, when the task
	// is created: what a decision task decides about and the indicators
	// an arbitration may confirm as failed.
	Outcome string   `json:"outcome,omitempty"`
	Choices []string `json:"choices,omitempty"`
	Version int64    `json:"version"`
	Event   string   `json:"event"`
	Actor   string   `json:"actor"`
	Reason  string   `json:"reason,omitempty"`
}

// Notification is a reminder or an escalation to deliver.
type Notification struct {
	Key             string    `json:"key"`
	Event           string    `json:"event"`
	TaskID          uuid.UUID `json:"task_id"`
	Recipient       string    `json:"recipient"`
	Kind            string    `json:"kind"`
	StationID       uuid.UUID `json:"station_id"`
	DueAt           time.Time `json:"due_at"`
	EscalationLevel int       `json:"escalation_level"`
}
