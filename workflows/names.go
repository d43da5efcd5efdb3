// Package workflows holds stationflow's durable processes: the lifecycle of
// each station (one entity workflow per station that continues as new) and
// the names other code uses to reach them: the task queue, workflow IDs,
// query and update names, and the typed search attributes. Code here is
// deterministic; everything that touches the world goes through activities.
package workflows

import (
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
)

// TaskQueue is where stationflow's workers poll by default.
const TaskQueue = "stationflow"

// Namespace is the Temporal namespace stationflow uses by default.
const Namespace = "stationflow"

// StationWorkflowID is the ID of a station's lifecycle workflow. It carries
// only the station's opaque ID.
func StationWorkflowID(stationID string) string { return "station/" + stationID }

// StatusQuery answers a station workflow's current status.
const StatusQuery = "status"

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
