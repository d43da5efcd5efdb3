package worker

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/store"
	"github.com/stationflow/stationflow/workflows"
)

// Reconciler starts the lifecycle workflow of every station whose start was
// not confirmed, and the workflow of every cycle still starting: a process
// that crashed between writing the row and starting its workflow loses
// nothing. Starts are idempotent.
type Reconciler struct {
	Store     *store.Store
	Client    client.Client
	TaskQueue string
	Logger    *slog.Logger
	// Interval between passes; zero means 30 seconds.
	Interval time.Duration
	// Concurrency of starts within a pass; zero means 16.
	Concurrency int
}

// resendApplications hands every application stored but not taken up by its
// station's workflow to the workflow again; the hand-over's update ID is the
// application's, so nothing is reviewed twice.
func (r *Reconciler) resendApplications(ctx context.Context) error {
	apps, err := r.Store.ApplicationsAwaitingReview(ctx, time.Minute, 100)
	if err != nil {
		return err
	}
	for _, app := range apps {
		org, err := r.Store.GetOrganisation(ctx, app.OrganisationID)
		if err != nil {
			return err
		}
		_, err = workflows.SubmitApplication(ctx, r.Client, app.StationID.String(), flow.ApplicationSubmission{
			ApplicationID: app.ID, OrganisationID: org.ID, OrganisationCode: org.CreditCode})
		var refused *temporal.ApplicationError
		switch {
		case errors.As(err, &refused) && refused.Type() == flow.RejectWrongState:
			if err := r.Store.CloseUnreviewedApplication(ctx, app.ID, refused.Message(), "reconciler"); err != nil {
				return err
			}
		case err != nil:
			r.Logger.Warn("handing over a stored application", "application_id", app.ID, "error", err)
		}
	}
	return nil
}

// startCycles starts the workflow of every cycle written a while ago and
// still starting; one that runs already is left as it is.
func (r *Reconciler) startCycles(ctx context.Context) error {
	cycles, err := r.Store.CyclesStarting(ctx, time.Minute, 100)
	if err != nil {
		return err
	}
	for _, c := range cycles {
		if err := workflows.StartCycle(ctx, r.Client, r.TaskQueue, flow.CycleInput{CycleID: c.ID, Settings: c.CycleSettings.Flow()}); err != nil {
			return err
		}
	}
	return nil
}

// Run passes until ctx ends.
func (r *Reconciler) Run(ctx context.Context) {
	interval := r.Interval
	if interval == 0 {
		interval = 30 * time.Second
	}
	for {
		if _, err := r.Pass(ctx, nil); err != nil && ctx.Err() == nil {
			r.Logger.Warn("starting unstarted station workflows", "error", err)
		}
		if err := r.resendApplications(ctx); err != nil && ctx.Err() == nil {
			r.Logger.Warn("handing over stored applications", "error", err)
		}
		if err := r.startCycles(ctx); err != nil && ctx.Err() == nil {
			r.Logger.Warn("starting cycle workflows", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(interval):
		}
	}
}

// Pass starts every unstarted station workflow once and reports how many it
// started. progress, when given, is called after each batch with the count.
func (r *Reconciler) Pass(ctx context.Context, progress func(started int)) (int, error) {
	workers := r.Concurrency
	if workers == 0 {
		workers = 16
	}
	total := 0
	for {
		batch, err := r.Store.StationsWithoutWorkflow(ctx, 500)
		if err != nil || len(batch) == 0 {
			return total, err
		}
		started, err := r.startAll(ctx, batch, workers)
		if len(started) > 0 {
			if merr := r.Store.MarkWorkflowStarted(ctx, started...); merr != nil {
				return total, merr
			}
		}
		total += len(started)
		if progress != nil {
			progress(total)
		}
		if err != nil {
			return total, err
		}
	}
}

func (r *Reconciler) startAll(ctx context.Context, batch []store.Station, workers int) ([]uuid.UUID, error) {
	var (
		mu       sync.Mutex
		started  []uuid.UUID
		firstErr error
		wg       sync.WaitGroup
	)
	jobs := make(chan store.Station)
	for range workers {
		wg.Go(func() {
			for st := range jobs {
				err := workflows.StartStation(ctx, r.Client, r.TaskQueue, st.FlowInput())
				mu.Lock()
				if err == nil {
					started = append(started, st.ID)
				} else if firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
		})
	}
	for _, st := range batch {
		jobs <- st
	}
	close(jobs)
	wg.Wait()
	return started, firstErr
}
