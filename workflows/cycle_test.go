package workflows

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/stationflow/stationflow/activities"
	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/grading"
	"github.com/stationflow/stationflow/internal/store"
)

// The last stations of the cycle's first, second and third pages.
var (
	page1Last = uuid.MustParse("7e1a0000-0000-4000-8000-000000000200")
	page2Last = uuid.MustParse("7e1a0000-0000-4000-8000-000000000400")
	page3Last = uuid.MustParse("7e1a0000-0000-4000-8000-000000000450")
)

// cycleWorld stands in for the cycle's activities: it answers from the
// test's settings and keeps what the cycle asked for, with the workflow
// time it was asked at.
type cycleWorld struct {
	mu sync.Mutex
	// Answers, set by the test before the run.
	pages     map[uuid.UUID]flow.BatchStarted // by the cursor asked after
	remaining func(call int) int
	cancelled []int // what each CancelEvaluations call finds, then 0
	// What the cycle asked for.
	batches     []flow.StartBatch
	counted     []time.Time
	states      []flow.CycleStateChange
	statesAt    []time.Time
	cancels     []flow.CancelBatch
	cancelCalls int
}

func (w *cycleWorld) stateNames() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for _, s := range w.states {
		out = append(out, s.State)
	}
	return out
}

func cycleInput() flow.CycleInput {
	return flow.CycleInput{CycleID: evalCycleID, Settings: store.CycleSettings{RegionCode: "510108", Year: 2026, RubricVersion: "annual-2026.1",
		Bands: grading.DefaultBands(), SelfAssessmentDue: at(2026, 11, 13, 18, 0), EvaluationDue: at(2026, 11, 27, 18, 0),
		EvaluatorsPerStation: 2, DisagreementThreshold: 10, OnDisagreement: "third_evaluator", AppealWorkdays: 5, MinTermDays: 180}.Flow()}
}

// newCycleEnv is newEnv with the cycle workflow registered under its
// deterministic ID and the cycle's activities answered by a cycleWorld.
// By default the stations fit on one page and none is left unfinished.
func newCycleEnv(t *testing.T, start time.Time) (*testsuite.TestWorkflowEnvironment, *cycleWorld) {
	t.Helper()
	env, _ := newEnv(t, start)
	env.RegisterWorkflow(CycleWorkflow)
	env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: flow.CycleWorkflowID(evalCycleID.String())})
	w := &cycleWorld{
		pages:     map[uuid.UUID]flow.BatchStarted{uuid.Nil: {Last: page1Last, Started: 200, Done: true}},
		remaining: func(int) int { return 0 },
	}
	env.OnActivity(a.StartEvaluations, mock.Anything, mock.Anything).Return(func(_ context.Context, b flow.StartBatch) (flow.BatchStarted, error) {
		w.mu.Lock()
		defer w.mu.Unlock()
		w.batches = append(w.batches, b)
		page, ok := w.pages[b.After]
		if !ok {
			return flow.BatchStarted{}, temporal.NewNonRetryableApplicationError("no page after "+b.After.String(), activities.ErrTypeInvalid, nil)
		}
		return page, nil
	})
	env.OnActivity(a.CycleRemaining, mock.Anything, mock.Anything).Return(func(_ context.Context, cycleID uuid.UUID) (int, error) {
		w.mu.Lock()
		defer w.mu.Unlock()
		w.counted = append(w.counted, env.Now())
		return w.remaining(len(w.counted)), nil
	})
	env.OnActivity(a.SetCycleState, mock.Anything, mock.Anything).Return(func(_ context.Context, c flow.CycleStateChange) error {
		w.mu.Lock()
		defer w.mu.Unlock()
		w.states = append(w.states, c)
		w.statesAt = append(w.statesAt, env.Now())
		return nil
	})
	env.OnActivity(a.CancelEvaluations, mock.Anything, mock.Anything).Return(func(_ context.Context, b flow.CancelBatch) (int, error) {
		w.mu.Lock()
		defer w.mu.Unlock()
		w.cancels = append(w.cancels, b)
		w.cancelCalls++
		if w.cancelCalls <= len(w.cancelled) {
			return w.cancelled[w.cancelCalls-1], nil
		}
		return 0, nil
	})
	return env, w
}

func TestACycleStartsItsStationsInBatchesThenCompletesWhenTheLastFinishes(t *testing.T) {
	// 450 stations start in pages of 200, 200 and 50, each page after the
	// last station of the one before. Five stations are still being
	// evaluated at the first count; ten minutes later the last of them
	// finishes and its evaluation signals the cycle, which completes then,
	// not at its next hourly count.
	start := at(2026, 11, 2, 9, 0)
	env, w := newCycleEnv(t, start)
	w.pages = map[uuid.UUID]flow.BatchStarted{
		uuid.Nil:  {Last: page1Last, Started: 200},
		page1Last: {Last: page2Last, Started: 400},
		page2Last: {Last: page3Last, Started: 450, Done: true},
	}
	w.remaining = func(call int) int {
		if call == 1 {
			return 5
		}
		return 0
	}
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(flow.StationsFinishedSignal, nil) }, 10*time.Minute)

	env.ExecuteWorkflow(CycleWorkflow, cycleInput())

	if !env.IsWorkflowCompleted() || env.GetWorkflowError() != nil {
		t.Fatalf("completed=%v err=%v", env.IsWorkflowCompleted(), env.GetWorkflowError())
	}
	if len(w.batches) != 3 {
		t.Fatalf("batches %+v, want three pages", w.batches)
	}
	for i, want := range []struct {
		after   uuid.UUID
		started int
	}{{uuid.Nil, 0}, {page1Last, 200}, {page2Last, 400}} {
		b := w.batches[i]
		if b.After != want.after || b.Started != want.started || b.Limit != CycleBatch || b.CycleID != evalCycleID ||
			b.CycleWorkflowID != flow.CycleWorkflowID(evalCycleID.String()) || b.Settings.RubricVersion != "annual-2026.1" {
			t.Errorf("batch %d asked %+v, want after %q with %d started, limit %d", i+1, b, want.after, want.started, CycleBatch)
		}
	}
	if len(w.counted) != 2 || !w.counted[0].Equal(start) || !w.counted[1].Equal(start.Add(10*time.Minute)) {
		t.Errorf("counted the unfinished stations at %v, want at the start and at the signal ten minutes later", w.counted)
	}
	if len(w.states) != 1 {
		t.Fatalf("cycle states %+v, want completed only", w.states)
	}
	last := w.states[0]
	if last.State != store.CycleCompleted || last.Started != 450 || last.CycleID != evalCycleID || last.WorkflowID != flow.CycleWorkflowID(evalCycleID.String()) {
		t.Errorf("cycle state %+v, want completed with 450 started", last)
	}
	if done := w.statesAt[0].Sub(start); done >= DefaultCyclePoll {
		t.Errorf("completed %s after the start: the signal, not the hourly count, must end the cycle", done)
	}
}

func TestACancelledCycleStopsEveryUnfinishedEvaluation(t *testing.T) {
	// Every station has started; three are unfinished when the office
	// cancels the cycle ten minutes in. The cycle records itself cancelling,
	// stops the unfinished evaluations a page at a time (200, then 100, then
	// none left), records itself cancelled and ends cancelled.
	start := at(2026, 11, 2, 9, 0)
	env, w := newCycleEnv(t, start)
	w.pages = map[uuid.UUID]flow.BatchStarted{uuid.Nil: {Last: page3Last, Started: 300, Done: true}}
	w.remaining = func(int) int { return 3 }
	w.cancelled = []int{200, 100}
	env.RegisterDelayedCallback(env.CancelWorkflow, 10*time.Minute)

	env.ExecuteWorkflow(CycleWorkflow, cycleInput())

	if !env.IsWorkflowCompleted() {
		t.Fatal("the cycle did not end")
	}
	if err := env.GetWorkflowError(); !temporal.IsCanceledError(err) {
		t.Fatalf("workflow error %v, want cancelled", err)
	}
	if got := w.stateNames(); !equal(got, []string{store.CycleCancelling, store.CycleCancelled}) {
		t.Fatalf("cycle states %v, want cancelling then cancelled", got)
	}
	for _, s := range w.states {
		if s.Started != 300 || s.WorkflowID != flow.CycleWorkflowID(evalCycleID.String()) {
			t.Errorf("cycle state %+v, want 300 started", s)
		}
	}
	if !w.statesAt[0].Equal(start.Add(10 * time.Minute)) {
		t.Errorf("cancelling recorded at %s, want at the cancellation", w.statesAt[0].In(shanghai))
	}
	if len(w.cancels) != 3 {
		t.Fatalf("stopped evaluations in %d calls, want 3 (200, 100, none)", len(w.cancels))
	}
	for _, c := range w.cancels {
		if c.CycleID != evalCycleID || c.Limit != CycleBatch || c.WorkflowID != flow.CycleWorkflowID(evalCycleID.String()) {
			t.Errorf("cancel batch %+v", c)
		}
	}
}

func TestACycleContinuesAsNewAfterManyPolls(t *testing.T) {
	// One station never finishes. Counting every minute, the cycle counts
	// 101 times (at the start and after each of 100 minutes) and then
	// continues as new, carrying its progress: every station started, the
	// cursor and the count.
	start := at(2026, 11, 2, 9, 0)
	env, w := newCycleEnv(t, start)
	w.pages = map[uuid.UUID]flow.BatchStarted{uuid.Nil: {Last: page1Last, Started: 3, Done: true}}
	w.remaining = func(int) int { return 1 }
	in := cycleInput()
	in.PollEvery = time.Minute

	env.ExecuteWorkflow(CycleWorkflow, in)

	if !env.IsWorkflowCompleted() {
		t.Fatal("the cycle did not end its run")
	}
	var can *workflow.ContinueAsNewError
	if err := env.GetWorkflowError(); !errors.As(err, &can) {
		t.Fatalf("workflow error %v, want continue-as-new", err)
	}
	var next flow.CycleInput
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
		t.Fatal(err)
	}
	if !next.Fanned || next.Cursor != page1Last || next.Started != 3 || next.PollEvery != time.Minute || next.CycleID != evalCycleID {
		t.Errorf("continued with %+v, want every station started, cursor %s, 3 started", next, page1Last)
	}
	if len(w.batches) != 1 || len(w.counted) != cyclePollsPerRun+1 || len(w.states) != 0 {
		t.Errorf("%d batches, %d counts, states %+v: want one batch, %d counts, no state change",
			len(w.batches), len(w.counted), w.states, cyclePollsPerRun+1)
	}
	if last := w.counted[len(w.counted)-1]; !last.Equal(start.Add(cyclePollsPerRun * time.Minute)) {
		t.Errorf("last count at %s, want %d minutes in", last.In(shanghai), cyclePollsPerRun)
	}
}
