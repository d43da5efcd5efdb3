package activities

import (
	"context"
	"log/slog"
	"testing"

	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/store"
	"github.com/stationflow/stationflow/internal/testdb"
)

// Recording a projection failure writes identifiers and a class only, once
// per ID however often it is retried, and writes what
// projection_failures would refuse as Unknown or blank instead of failing:
// the recording cannot fail as the projection did.
func TestRecordingAProjectionFailureWritesOnceAndCannotBeRefusedAsData(t *testing.T) {
	st, _ := testdb.New(t)
	a := &Activities{Store: st, Logger: slog.New(slog.DiscardHandler)}
	ctx := context.Background()
	station := store.NewID()
	f := flow.ProjectionFailure{ID: store.NewID(), WorkflowID: "task:test", RunID: "run-1", Activity: flow.ProjectTaskActivity,
		ErrorClass: ErrTypeData, StationID: station, RegionCode: "510108001"}
	for range 2 {
		if err := a.RecordProjectionFailure(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	odd := flow.ProjectionFailure{ID: store.NewID(), WorkflowID: "task:odd", RunID: "run-2", Activity: "Project\x00Task",
		ErrorClass: "*pgconn.PgError", RegionCode: "51x"}
	if err := a.RecordProjectionFailure(ctx, odd); err != nil {
		t.Fatalf("an odd class or region must not refuse the recording: %v", err)
	}
	open, err := st.OpenProjectionFailures(ctx, "")
	if err != nil || len(open) != 2 {
		t.Fatalf("open failures %+v (%v), want 2", open, err)
	}
	got := map[string]store.ProjectionFailure{}
	for _, o := range open {
		got[o.WorkflowID] = o
	}
	if g := got["task:test"]; g.ID != f.ID || g.ErrorClass != ErrTypeData || g.StationID == nil || *g.StationID != station || g.RegionCode != "510108001" {
		t.Errorf("recorded %+v", g)
	}
	if g := got["task:odd"]; g.Activity != "Unknown" || g.ErrorClass != "Unknown" || g.RegionCode != "" || g.StationID != nil {
		t.Errorf("odd recorded %+v", g)
	}
	if inRegion, err := st.OpenProjectionFailures(ctx, "510108"); err != nil || len(inRegion) != 1 {
		t.Errorf("in 510108: %+v (%v)", inRegion, err)
	}
}
