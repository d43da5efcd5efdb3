package activities

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/stationflow/stationflow/internal/rubric"
	"github.com/stationflow/stationflow/internal/store"
)

// Names the evaluation workflows and the station workflow are reached by
// from activities, which start and update them through the client.
const (
	EvaluationWorkflowType = "EvaluationWorkflow"
	RenewUpdate            = "renew"
	ExitUpdate             = "exit"
	// StationsFinishedSignal tells a cycle that its last station finished.
	StationsFinishedSignal = "stations_finished"
)

// EvaluationStart is what every evaluation of a cycle starts with: the
// cycle's frozen settings and one station.
type EvaluationStart struct {
	CycleID         string              `json:"cycle_id"`
	CycleWorkflowID string              `json:"cycle_workflow_id"`
	Settings        store.CycleSettings `json:"settings"`
	StationID       string              `json:"station_id"`
	Level           string              `json:"level"`
	RegionCode      string              `json:"region_code"`
	OrganisationID  string              `json:"organisation_id"`
	ContractID      string              `json:"contract_id"`
}

// EvaluationWorkflowID is the deterministic ID of a station's evaluation
// in a cycle, so starting it again never evaluates the station twice.
func EvaluationWorkflowID(cycleID, stationID string) string {
	return "evaluation/" + cycleID + "/" + stationID
}

// StartBatch asks for the next page of a cycle's stations to be started.
type StartBatch struct {
	CycleID         string              `json:"cycle_id"`
	CycleWorkflowID string              `json:"cycle_workflow_id"`
	Settings        store.CycleSettings `json:"settings"`
	After           string              `json:"after"` // the last station ID started; "" for the first page
	Limit           int                 `json:"limit"`
	Started         int                 `json:"started"` // stations started before this page
}

// BatchStarted is how far a batch got.
type BatchStarted struct {
	Last    string `json:"last"`
	Started int    `json:"started"` // stations started in all, this page included
	Done    bool   `json:"done"`    // no stations are left after Last
}

// startConcurrency is how many evaluations one batch starts at once.
const startConcurrency = 16

// StartEvaluations starts the evaluation of each station on the next page
// of a cycle, a bounded number at a time, heartbeating as it goes. Each
// start has the station's deterministic ID and uses the running workflow
// when there is one, so a retried batch starts nothing twice; a station
// whose evaluation already finished is left alone. The cycle's started
// count is advanced as the page completes.
func (a *Activities) StartEvaluations(ctx context.Context, b StartBatch) (BatchStarted, error) {
	if a.Temporal == nil {
		return BatchStarted{}, invalid("the activities have no Temporal client")
	}
	cycleID, err := parseID("cycle_id", b.CycleID)
	if err != nil {
		return BatchStarted{}, err
	}
	after := uuid.Nil
	if b.After != "" {
		if after, err = parseID("after", b.After); err != nil {
			return BatchStarted{}, err
		}
	}
	page, err := a.Store.CycleStationsAfter(ctx, cycleID, after, b.Limit)
	if err != nil {
		return BatchStarted{}, classify(err)
	}
	out := BatchStarted{Last: b.After, Started: b.Started, Done: len(page) < b.Limit}
	if len(page) == 0 {
		return out, nil
	}
	sem := make(chan struct{}, startConcurrency)
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	for _, cs := range page {
		sem <- struct{}{}
		wg.Add(1)
		go func(cs store.CycleStation) {
			defer func() { <-sem; wg.Done() }()
			err := a.startEvaluation(ctx, b, cs)
			mu.Lock()
			defer mu.Unlock()
			if err != nil && firstErr == nil {
				firstErr = err
			}
			activity.RecordHeartbeat(ctx, cs.StationID.String())
		}(cs)
	}
	wg.Wait()
	if firstErr != nil {
		return out, firstErr
	}
	out.Last = page[len(page)-1].StationID.String()
	out.Started += len(page)
	state := store.CycleStarting
	if out.Done {
		state = store.CycleRunning
	}
	if err := a.Store.SetCycleState(ctx, cycleID, state, out.Started, "workflow:"+b.CycleWorkflowID); err != nil {
		return out, classify(err)
	}
	return out, nil
}

func (a *Activities) startEvaluation(ctx context.Context, b StartBatch, cs store.CycleStation) error {
	in := EvaluationStart{CycleID: b.CycleID, CycleWorkflowID: b.CycleWorkflowID, Settings: b.Settings,
		StationID: cs.StationID.String(), Level: cs.Level, RegionCode: cs.RegionCode}
	if cs.OrganisationID != nil {
		in.OrganisationID = cs.OrganisationID.String()
	}
	if cs.ContractID != nil {
		in.ContractID = cs.ContractID.String()
	}
	_, err := a.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       EvaluationWorkflowID(b.CycleID, in.StationID),
		TaskQueue:                a.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	}, EvaluationWorkflowType, in)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return nil // it ran to its end already
	}
	return err
}

// CycleStateChange moves a cycle to a state.
type CycleStateChange struct {
	CycleID    string `json:"cycle_id"`
	State      string `json:"state"`
	Started    int    `json:"started"`
	WorkflowID string `json:"workflow_id"`
}

// SetCycleState records a cycle's state; repeating it changes nothing.
func (a *Activities) SetCycleState(ctx context.Context, c CycleStateChange) error {
	id, err := parseID("cycle_id", c.CycleID)
	if err != nil {
		return err
	}
	return classify(a.Store.SetCycleState(ctx, id, c.State, c.Started, "workflow:"+c.WorkflowID))
}

// CycleRemaining counts a cycle's stations that have not finished.
func (a *Activities) CycleRemaining(ctx context.Context, cycleID string) (int, error) {
	id, err := parseID("cycle_id", cycleID)
	if err != nil {
		return 0, err
	}
	c, err := a.Store.GetCycle(ctx, id)
	if err != nil {
		return 0, classify(err)
	}
	finished := c.Counts[store.EvalDone] + c.Counts[store.EvalFailed] + c.Counts[store.EvalCancelled]
	return c.Stations - finished, nil
}

// CancelBatch asks for the next page of a cancelled cycle's unfinished
// stations to be stopped.
type CancelBatch struct {
	CycleID    string `json:"cycle_id"`
	Limit      int    `json:"limit"`
	WorkflowID string `json:"workflow_id"`
}

// CancelEvaluations marks the next page of a cycle's unfinished stations
// cancelled and asks their evaluations to stop. It returns how many it
// found: none means the cycle is fully stopped. An evaluation that has
// already ended is not an error.
func (a *Activities) CancelEvaluations(ctx context.Context, b CancelBatch) (int, error) {
	if a.Temporal == nil {
		return 0, invalid("the activities have no Temporal client")
	}
	cycleID, err := parseID("cycle_id", b.CycleID)
	if err != nil {
		return 0, err
	}
	ids, err := a.Store.UnfinishedCycleStations(ctx, cycleID, b.Limit)
	if err != nil {
		return 0, classify(err)
	}
	// Stop the workflows first, then mark the stations: a retry after a
	// crash in between finds them again.
	for _, id := range ids {
		err := a.Temporal.CancelWorkflow(ctx, EvaluationWorkflowID(b.CycleID, id.String()), "")
		var notFound *serviceerror.NotFound
		if err != nil && !errors.As(err, &notFound) {
			return 0, err
		}
		activity.RecordHeartbeat(ctx, id.String())
	}
	return len(ids), classify(a.Store.CancelCycleStations(ctx, cycleID, ids))
}

// AnnualRubric returns the rubric a cycle scores against.
func (a *Activities) AnnualRubric(_ context.Context, version string) (*rubric.Rubric, error) {
	r, err := a.Rubrics.Get(version)
	if err != nil {
		return nil, invalid("%v", err)
	}
	if r.Kind != rubric.KindAnnual {
		return nil, invalid("rubric %s is a %s rubric, not an annual one", version, r.Kind)
	}
	return r, nil
}

// EvaluationProjection is a station's progress through a cycle.
type EvaluationProjection struct {
	Update          store.CycleStationUpdate `json:"update"`
	CycleWorkflowID string                   `json:"cycle_workflow_id"`
	WorkflowID      string                   `json:"workflow_id"`
}

// ProjectEvaluation writes a station's progress through its cycle; the
// version makes it idempotent. When the station is the cycle's last to
// finish, it tells the cycle.
func (a *Activities) ProjectEvaluation(ctx context.Context, p EvaluationProjection) error {
	if p.Update.Actor == "" || p.Update.Actor == "system" {
		p.Update.Actor = "workflow:" + p.WorkflowID
	}
	remaining, err := a.Store.ProjectCycleStation(ctx, p.Update)
	if err != nil {
		return classify(err)
	}
	finished := p.Update.State == store.EvalDone || p.Update.State == store.EvalFailed
	if finished && remaining == 0 && a.Temporal != nil {
		err := a.Temporal.SignalWorkflow(ctx, p.CycleWorkflowID, "", StationsFinishedSignal, nil)
		var notFound *serviceerror.NotFound
		if err != nil && !errors.As(err, &notFound) {
			return err
		}
	}
	return nil
}

// EvaluatorRequest asks for a station's evaluation slot to be given its
// evaluator.
type EvaluatorRequest struct {
	CycleID        string `json:"cycle_id"`
	StationID      string `json:"station_id"`
	RegionCode     string `json:"region_code"`
	OrganisationID string `json:"organisation_id"`
	Slot           int    `json:"slot"`
	TaskID         string `json:"task_id"`
	WorkflowID     string `json:"workflow_id"`
}

// AssignEvaluator picks the slot's evaluator by the conflict-of-interest
// rule; "" means the county office holds the task. Repeating it returns
// the first answer.
func (a *Activities) AssignEvaluator(ctx context.Context, r EvaluatorRequest) (string, error) {
	cycleID, err := parseID("cycle_id", r.CycleID)
	if err != nil {
		return "", err
	}
	station, err := parseID("station_id", r.StationID)
	if err != nil {
		return "", err
	}
	task, err := parseID("task_id", r.TaskID)
	if err != nil {
		return "", err
	}
	org, err := optionalID("organisation_id", r.OrganisationID)
	if err != nil {
		return "", err
	}
	e, err := a.Store.AssignEvaluator(ctx, cycleID, station, r.Slot, task, org, r.RegionCode, "workflow:"+r.WorkflowID)
	if err != nil {
		return "", classify(err)
	}
	if e.EvaluatorID == nil {
		return "", nil
	}
	return e.EvaluatorID.String(), nil
}

// FiledEvaluation is one evaluator's total to record.
type FiledEvaluation struct {
	CycleID   string  `json:"cycle_id"`
	StationID string  `json:"station_id"`
	Slot      int     `json:"slot"`
	Total     float64 `json:"total"`
	Passed    bool    `json:"passed"`
}

// RecordEvaluation stores an evaluator's total; repeating it changes nothing.
func (a *Activities) RecordEvaluation(ctx context.Context, f FiledEvaluation) error {
	cycleID, err := parseID("cycle_id", f.CycleID)
	if err != nil {
		return err
	}
	station, err := parseID("station_id", f.StationID)
	if err != nil {
		return err
	}
	return classify(a.Store.RecordEvaluation(ctx, cycleID, station, f.Slot, f.Total, f.Passed))
}

// OpenItems are a station's rectification items not yet verified.
type OpenItems struct {
	IDs      []string `json:"ids"`
	Critical int      `json:"critical"`
}

// OpenRectifications lists a station's unverified rectification items;
// with Only set, just those of them still open.
func (a *Activities) OpenRectifications(ctx context.Context, r OpenItemsRequest) (OpenItems, error) {
	station, err := parseID("station_id", r.StationID)
	if err != nil {
		return OpenItems{}, err
	}
	var ids []uuid.UUID
	var critical int
	if r.Only != nil {
		only := make([]uuid.UUID, 0, len(r.Only))
		for _, s := range r.Only {
			id, err := parseID("only", s)
			if err != nil {
				return OpenItems{}, err
			}
			only = append(only, id)
		}
		ids, err = a.Store.StillOpen(ctx, only)
	} else {
		ids, critical, err = a.Store.OpenRectifications(ctx, station)
	}
	if err != nil {
		return OpenItems{}, classify(err)
	}
	out := OpenItems{IDs: make([]string, 0, len(ids)), Critical: critical}
	for _, id := range ids {
		out.IDs = append(out.IDs, id.String())
	}
	return out, nil
}

// OpenItemsRequest names the station, and optionally the items to check.
type OpenItemsRequest struct {
	StationID string   `json:"station_id"`
	Only      []string `json:"only,omitempty"`
}

// Renewal renews a station's operator for a new term, or (Exit set) ends
// its contract so the station is tendered again.
type Renewal struct {
	StationWorkflowID string    `json:"station_workflow_id"`
	StationID         string    `json:"station_id"`
	OldContractID     string    `json:"old_contract_id"`
	NewContractID     string    `json:"new_contract_id,omitempty"`
	Start             time.Time `json:"start,omitzero"`
	End               time.Time `json:"end,omitzero"`
	Exit              bool      `json:"exit,omitempty"`
	Reason            string    `json:"reason"`
	UpdateID          string    `json:"update_id"`
	WorkflowID        string    `json:"workflow_id"`
}

// StationChange is what the station workflow is told by a renewal or an
// exit.
type StationChange struct {
	ContractID string    `json:"contract_id"`
	Start      time.Time `json:"start,omitzero"`
	End        time.Time `json:"end,omitzero"`
	Reason     string    `json:"reason"`
}

// ApplyRenewal writes the new contract (or ends the old one) and tells the
// station's workflow, which starts the new term (continuing as new) or
// returns the station to awaiting an operator. The update carries a fixed
// ID and the station ignores a change it already made, so a retry changes
// nothing twice. A station that refuses the change (it no longer runs
// under that contract) is a non-retryable error.
func (a *Activities) ApplyRenewal(ctx context.Context, r Renewal) error {
	if a.Temporal == nil {
		return invalid("the activities have no Temporal client")
	}
	oldID, err := parseID("old_contract_id", r.OldContractID)
	if err != nil {
		return err
	}
	actor := "workflow:" + r.WorkflowID
	change := StationChange{ContractID: r.NewContractID, Start: r.Start, End: r.End, Reason: r.Reason}
	name := RenewUpdate
	if r.Exit {
		name, change.ContractID = ExitUpdate, r.OldContractID
		err = a.Store.TerminateContract(ctx, oldID, r.Reason, actor)
	} else {
		var newID uuid.UUID
		if newID, err = parseID("new_contract_id", r.NewContractID); err != nil {
			return err
		}
		err = a.Store.RenewContract(ctx, oldID, newID, r.Start, r.End, actor)
	}
	if err != nil {
		return classify(err)
	}
	h, err := a.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: r.StationWorkflowID, UpdateName: name,
		UpdateID: r.UpdateID, Args: []any{change}, WaitForStage: client.WorkflowUpdateStageCompleted})
	if err == nil {
		err = h.Get(ctx, nil)
	}
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return temporal.NewNonRetryableApplicationError(fmt.Sprintf("the station refused the %s: %s", name, app.Error()), ErrTypeInvalid, err)
	}
	return err
}

// ContractTerm returns a contract, for the term a renewal follows.
func (a *Activities) ContractTerm(ctx context.Context, contractID string) (store.Contract, error) {
	id, err := parseID("contract_id", contractID)
	if err != nil {
		return store.Contract{}, err
	}
	c, err := a.Store.GetContract(ctx, id)
	return c, classify(err)
}
