package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/workflow"
	"golang.org/x/sync/errgroup"

	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/grading"
	"github.com/stationflow/stationflow/internal/rubric"
	"github.com/stationflow/stationflow/internal/store"
	"github.com/stationflow/stationflow/workflows"
)

// BareSignal is the signal the baseline's bare workflows wait for.
const BareSignal = "go"

// BareWorkflow is the baseline: started with SignalWithStart, it receives
// its signal and ends.
func BareWorkflow(ctx workflow.Context) error {
	workflow.GetSignalChannel(ctx, BareSignal).Receive(ctx, nil)
	return nil
}

// Options say what to measure.
type Options struct {
	Client    client.Client
	Store     *store.Store
	TaskQueue string
	Rubric    *rubric.Rubric
	Stations  int
	// Complete drives every station's evaluation to its end.
	Complete bool
	// Concurrency of the driver's and the baseline's calls.
	Concurrency int
	Out         io.Writer
}

// Result holds the figures.
type Result struct {
	Stations     int
	Setup        time.Duration // writing the province and starting its stations
	Cycle        time.Duration // from starting the cycle to every station's self-assessment being open
	Bare         time.Duration // SignalWithStart of as many bare workflows
	ToTheEnd     time.Duration // from starting the cycle to its completion (Complete only)
	Failed       int
	LargestCycle int64 // events in the largest history among the cycle's and sampled evaluations'
}

// Ratio is the cycle's fan-out time over the bare baseline's.
func (r Result) Ratio() float64 { return r.Cycle.Seconds() / r.Bare.Seconds() }

func (o Options) printf(format string, args ...any) {
	if o.Out != nil {
		fmt.Fprintf(o.Out, format, args...)
	}
}

// Run writes the province, starts each station's lifecycle workflow (in
// operating phase), then measures the cycle's fan-out against the bare
// baseline and, with Complete, the cycle to its end.
func Run(ctx context.Context, o Options) (Result, error) {
	res := Result{Stations: o.Stations}
	setup := time.Now()
	year := time.Now().Year()
	termStart := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
	p, err := WriteProvince(ctx, o.Store, "51", o.Stations, termStart)
	if err != nil {
		return res, err
	}
	o.printf("province written: %d operating stations in %s\n", len(p.Stations), time.Since(setup).Round(time.Millisecond))
	if err := o.startStations(ctx, p); err != nil {
		return res, err
	}
	res.Setup = time.Since(setup)

	// The cycle: from the office's start to every self-assessment open.
	started := time.Now()
	cycleID, err := o.startCycle(ctx, year)
	if err != nil {
		return res, err
	}
	res.Cycle = time.Since(started)
	o.printf("cycle fan-out: %d stations evaluating in %s\n", o.Stations, res.Cycle.Round(time.Millisecond))

	// The baseline: as many bare workflows, SignalWithStart, same server.
	bare := time.Now()
	prefix := "bare/" + uuid.NewString() + "/"
	err = o.each(ctx, o.Stations, "bare workflows signalled", func(i int) error {
		_, err := o.Client.SignalWithStartWorkflow(ctx, prefix+fmt.Sprint(i), BareSignal, nil, client.StartWorkflowOptions{
			TaskQueue: o.TaskQueue, WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING}, BareWorkflow)
		return err
	})
	if err != nil {
		return res, err
	}
	res.Bare = time.Since(bare)
	o.printf("baseline: %d bare workflows SignalWithStart in %s\n", o.Stations, res.Bare.Round(time.Millisecond))

	if o.Complete {
		if err := o.drive(ctx, cycleID); err != nil {
			return res, err
		}
		res.ToTheEnd = time.Since(started)
		final, err := o.Store.GetCycle(ctx, cycleID)
		if err != nil {
			return res, err
		}
		res.Failed = final.Counts[store.EvalFailed]
		o.printf("cycle completed: %d stations to the end in %s (%d failed)\n", o.Stations, res.ToTheEnd.Round(time.Millisecond), res.Failed)
	}
	res.LargestCycle, err = o.largestHistory(ctx, cycleID, p)
	return res, err
}

// startStations starts each station's lifecycle workflow, operating under
// its contract, then waits until the worker has run each one's first
// workflow task, so that what is timed next does not queue behind them.
func (o Options) startStations(ctx context.Context, p *Province) error {
	now := time.Now()
	err := o.each(ctx, len(p.Stations), "station workflows started", func(i int) error {
		s := p.Stations[i]
		return workflows.StartStation(ctx, o.Client, o.TaskQueue, s.Input(now))
	})
	if err != nil {
		return err
	}
	// A probe started now runs after the tasks queued before it.
	settled := time.Now()
	run, err := o.Client.SignalWithStartWorkflow(ctx, "settle/"+uuid.NewString(), BareSignal, nil,
		client.StartWorkflowOptions{TaskQueue: o.TaskQueue}, BareWorkflow)
	if err != nil {
		return err
	}
	if err := run.Get(ctx, nil); err != nil {
		return err
	}
	o.printf("the worker caught up with the station workflows in %s\n", time.Since(settled).Round(time.Millisecond))
	return nil
}

// startCycle starts a cycle over the province (region 51) and waits until
// every station's self-assessment is open.
func (o Options) startCycle(ctx context.Context, year int) (uuid.UUID, error) {
	set := store.CycleSettings{RegionCode: "51", Year: year, RubricVersion: o.Rubric.Version, Bands: grading.BandsPassingAt(o.Rubric.PassMark),
		SelfAssessmentDue: time.Now().Add(90 * 24 * time.Hour), EvaluationDue: time.Now().Add(120 * 24 * time.Hour),
		EvaluatorsPerStation: 2, DisagreementThreshold: 10, OnDisagreement: "third_evaluator", AppealWorkdays: 1}
	cycleID := store.NewID()
	c, err := o.Store.CreateCycle(ctx, cycleID, set, "", flow.CycleWorkflowID(cycleID.String()), "bench")
	if err != nil {
		return cycleID, err
	}
	if c.Stations != o.Stations {
		return cycleID, fmt.Errorf("the cycle includes %d stations, want %d", c.Stations, o.Stations)
	}
	if err := workflows.StartCycle(ctx, o.Client, o.TaskQueue, flow.CycleInput{CycleID: cycleID, Settings: set.Flow()}); err != nil {
		return cycleID, err
	}
	return cycleID, o.waitFor(ctx, cycleID, "self-assessments open", func(c store.Cycle) (int, bool) {
		n := c.Counts[store.EvalSelfAssessment] + c.Counts[store.EvalEvaluation] + c.Counts[store.EvalDone] + c.Counts[store.EvalFailed]
		return n, c.Started == c.Stations && n == c.Stations && openTasks(ctx, o.Store, cycleID, flow.KindSelfAssessment) == c.Stations
	})
}

// each runs fn for 0..n-1 with bounded concurrency, printing progress.
// After the first error it starts nothing more and returns that error.
func (o Options) each(ctx context.Context, n int, what string, fn func(i int) error) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(o.Concurrency, 1))
	var done atomic.Int64
	start := time.Now()
	for i := range n {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error {
			if err := fn(i); err != nil {
				return err
			}
			if d := done.Add(1); d%5000 == 0 {
				o.printf("  %s: %d (%.0f/s)\n", what, d, float64(d)/time.Since(start).Seconds())
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return ctx.Err()
}

// waitFor polls the cycle until done says so, printing progress.
func (o Options) waitFor(ctx context.Context, cycleID uuid.UUID, what string, done func(store.Cycle) (int, bool)) error {
	last := time.Now()
	for {
		c, err := o.Store.GetCycle(ctx, cycleID)
		if err != nil {
			return err
		}
		n, ok := done(c)
		if ok {
			return nil
		}
		if time.Since(last) > 5*time.Second {
			o.printf("  %s: %d of %d (started %d; %v)\n", what, n, c.Stations, c.Started, c.Counts)
			last = time.Now()
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func openTasks(ctx context.Context, st *store.Store, cycleID uuid.UUID, kind string) int {
	tasks, err := st.OpenCycleTasks(ctx, cycleID, kind)
	if err != nil {
		return -1
	}
	return len(tasks)
}

// drive completes every open task of the cycle, kind by kind, as an admin
// would, until the cycle completes: self-assessments, two evaluations that
// agree, and renewal as proposed.
func (o Options) drive(ctx context.Context, cycleID uuid.UUID) error {
	admin := flow.Caller{Role: flow.RoleAdmin, TokenID: "bench"}
	for {
		c, err := o.Store.GetCycle(ctx, cycleID)
		if err != nil {
			return err
		}
		if c.State == store.CycleCompleted {
			return nil
		}
		progressed := 0
		for _, kind := range CycleTaskKinds {
			tasks, err := o.Store.OpenCycleTasks(ctx, cycleID, kind)
			if err != nil {
				return err
			}
			err = o.each(ctx, len(tasks), kind+" completed", func(i int) error {
				t, raw := tasks[i], TaskForm(o.Rubric, kind)
				h, err := o.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: t.WorkflowID, UpdateName: flow.CompleteUpdate,
					UpdateID: "bench/" + t.ID.String(), Args: []any{flow.CompleteRequest{Caller: admin, Form: raw}},
					WaitForStage: client.WorkflowUpdateStageCompleted})
				if err == nil {
					err = h.Get(ctx, nil)
				}
				if err != nil && !isClosed(err) {
					return fmt.Errorf("completing %s task %s: %w", kind, t.ID, err)
				}
				return nil
			})
			if err != nil {
				return err
			}
			progressed += len(tasks)
		}
		if progressed == 0 {
			o.printf("  waiting: %v\n", c.Counts)
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Second):
			}
		}
	}
}

// TaskForm is the form the bench files for an open task of a cycle: every
// indicator scored at 90% (with the funding used, for a self-assessment),
// renewal as proposed, or an arbitrated total.
func TaskForm(r *rubric.Rubric, kind string) json.RawMessage {
	var f grading.SelfAssessment
	for _, sec := range r.Sections {
		for _, ind := range sec.Indicators {
			p := float64(int(float64(ind.MaxPoints)*0.9*2)) / 2
			f.Scores = append(f.Scores, rubric.Score{Indicator: ind.ID, Points: &p, Comment: "bench"})
		}
	}
	f.Summary = "bench"
	var v any = f.Form
	switch kind {
	case flow.KindSelfAssessment:
		used := 250000.0
		f.FundingUsedYuan = &used
		v = f
	case flow.KindRenewalDecision:
		v = map[string]string{"decision": "renew", "reason": "bench renewal as proposed"}
	case flow.KindArbitration:
		v = map[string]any{"total": 80, "reason": "bench arbitration"}
	}
	raw, err := json.Marshal(v)
	if err != nil {
		panic(err) // plain data always marshals
	}
	return raw
}

// CycleTaskKinds are the kinds of task a cycle opens that a driver
// completes, in the order they come.
var CycleTaskKinds = []string{flow.KindSelfAssessment, flow.KindAnnualEvaluation, flow.KindArbitration, flow.KindRenewalDecision}

// isClosed: the task ended between listing and completing it.
func isClosed(err error) bool {
	var wrong interface{ Type() string }
	return errors.As(err, &wrong) && wrong.Type() == flow.RejectWrongState
}

// largestHistory is the most events in the history of the cycle and of a
// sample of its evaluations and their stations.
func (o Options) largestHistory(ctx context.Context, cycleID uuid.UUID, p *Province) (int64, error) {
	ids := []string{flow.CycleWorkflowID(cycleID.String())}
	for i := 0; i < len(p.Stations); i += max(1, len(p.Stations)/50) {
		ids = append(ids, flow.EvaluationWorkflowID(cycleID.String(), p.Stations[i].ID.String()),
			flow.StationWorkflowID(p.Stations[i].ID.String()))
	}
	var largest int64
	for _, wid := range ids {
		d, err := o.Client.DescribeWorkflowExecution(ctx, wid, "")
		if err != nil {
			return 0, fmt.Errorf("describing %s: %w", wid, err)
		}
		largest = max(largest, d.GetWorkflowExecutionInfo().GetHistoryLength())
	}
	return largest, nil
}
