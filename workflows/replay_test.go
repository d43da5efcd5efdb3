package workflows

import (
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/worker"

	"github.com/stationflow/stationflow/internal/codec"
	"github.com/stationflow/stationflow/internal/testkit"
)

// TestReplayCommittedHistories replays every history recorded from real
// runs (go test ./api/ -record-histories) against today's workflow code. A
// change that would break running workflows fails here.
func TestReplayCommittedHistories(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "histories", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no committed histories to replay")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			replayer, err := worker.NewWorkflowReplayerWithOptions(worker.WorkflowReplayerOptions{
				DataConverter: codec.NewDataConverter(codec.NewPayloadCodec(testkit.PayloadKey())),
			})
			if err != nil {
				t.Fatal(err)
			}
			replayer.RegisterWorkflow(StationWorkflow)
			replayer.RegisterWorkflow(HumanTaskWorkflow)
			replayer.RegisterWorkflow(SupervisionWorkflow)
			replayer.RegisterWorkflow(RectificationWorkflow)
			replayer.RegisterWorkflow(EvaluationWorkflow)
			replayer.RegisterWorkflow(CycleWorkflow)
			if err := replayer.ReplayWorkflowHistoryFromJSONFile(nil, f); err != nil {
				t.Fatalf("replaying %s: %v", f, err)
			}
		})
	}
}
