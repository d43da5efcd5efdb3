// Package flow is what crosses Temporal in stationflow: the task queue and
// namespace, workflow, update, query and signal names, workflow IDs, the
// typed search attributes, task kinds and states, role names, and every
// input, result and payload type that workflows and activities exchange.
//
// It imports nothing else from stationflow, so workflows, activities, the
// API and the worker all depend on it and never on each other's
// internals. A type here is part of recorded workflow histories: change a
// field's name or meaning only with workflow.GetVersion in the workflow
// that sends it. Store rows never travel as payloads; activities map these
// types to rows.
package flow

import (
	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
)

// TaskQueue is where stationflow's workers poll by default.
const TaskQueue = "stationflow"

// Namespace is the Temporal namespace stationflow uses by default.
const Namespace = "stationflow"

// Workflow type names, for code that starts a workflow by name rather than
// by its function (activities, which cannot import the workflows).
const (
	EvaluationWorkflowType = "EvaluationWorkflow"
)

// Typed search attributes. They carry codes and opaque IDs only, never
// personal data.
var (
	StationIDKey    = temporal.NewSearchAttributeKeyKeyword("StationID")
	RegionCodeKey   = temporal.NewSearchAttributeKeyKeyword("RegionCode")
	StationLevelKey = temporal.NewSearchAttributeKeyKeyword("StationLevel")
	PhaseKey        = temporal.NewSearchAttributeKeyKeyword("Phase")
	OrgCodeKey      = temporal.NewSearchAttributeKeyKeyword("OrgCode")
)

// SearchAttributes lists the custom search attributes the namespace needs,
// by name and type, for registering them on a server.
func SearchAttributes() map[string]enumspb.IndexedValueType {
	out := map[string]enumspb.IndexedValueType{}
	for _, k := range []temporal.SearchAttributeKeyKeyword{StationIDKey, RegionCodeKey, StationLevelKey, PhaseKey, OrgCodeKey} {
		out[k.GetName()] = enumspb.INDEXED_VALUE_TYPE_KEYWORD
	}
	return out
}

// StationWorkflowID is the ID of a station's lifecycle workflow. It carries
// only the station's opaque ID.
func StationWorkflowID(stationID string) string { return "station/" + stationID }

// TaskWorkflowID is the deterministic ID of a human task:
// task/<station>/<kind>/<period>.
func TaskWorkflowID(stationID, kind, period string) string {
	return "task/" + stationID + "/" + kind + "/" + period
}

// SupervisionWorkflowID is the deterministic ID of a quarter's supervision.
func SupervisionWorkflowID(stationID, period string) string {
	return "supervision/" + stationID + "/" + period
}

// RectificationWorkflowID is the deterministic ID of a rectification item.
func RectificationWorkflowID(stationID, period, indicator string) string {
	return "rectification/" + stationID + "/" + period + "/" + indicator
}

// CycleWorkflowID is the deterministic ID of a cycle's workflow.
func CycleWorkflowID(cycleID string) string { return "cycle/" + cycleID }

// EvaluationWorkflowID is the deterministic ID of a station's evaluation
// in a cycle, so starting it again never evaluates the station twice.
func EvaluationWorkflowID(cycleID, stationID string) string {
	return "evaluation/" + cycleID + "/" + stationID
}

// IDSpace is the namespace the IDs of tasks, contracts, scorecards and
// rectification items are derived in from what they are for, so the same
// step always has the same ID. A literal, so no code path can panic on it.
var IDSpace = uuid.UUID{0x0f, 0x6e, 0x2f, 0x4e, 0x4b, 0x8f, 0x4d, 0x67, 0x9a, 0x51, 0x5f, 0x0c, 0x2d, 0x3b, 0x7a, 0x10}

// Error types an update validator rejects with; the API maps them to HTTP.
const (
	RejectForbidden  = "Forbidden"  // the caller may not act on this task
	RejectWrongState = "WrongState" // the task is not in a state that allows it
	RejectInvalid    = "Invalid"    // the form or request breaks a rule; details carry the field errors
)

// Error types that activities return as non-retryable.
const (
	ErrTypeNotFound = "NotFound" // the object the activity works on does not exist
	ErrTypeInvalid  = "Invalid"  // the input cannot be acted on, however often it is tried
)
