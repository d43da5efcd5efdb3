package workflows

import (
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/worker"

	"github.com/stationflow/stationflow/internal/codec"
	"github.com/stationflow/stationflow/internal/testkit"
)

// TestReplayCommittedHistories replays every history recorded from real
// runs (make histories) against today's workflow code. A change that would
// break running workflows fails here: guard it with workflow.GetVersion so
// old histories take the old path, and record a new history for the new
// one. The recorder never overwrites a committed history unless told to.
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
