package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/grading"
	"github.com/stationflow/stationflow/internal/store/db"
)

// Evaluation is one evaluator's slot at a station in a cycle.
type Evaluation struct {
	Slot        int        `json:"slot"`
	EvaluatorID *uuid.UUID `json:"evaluator_id"`
	TaskID      uuid.UUID  `json:"task_id"`
	Total       *float64   `json:"total"`
	Passed      *bool      `json:"passed"`
	FiledAt     *time.Time `json:"filed_at"`
}

// AssignEvaluator gives a station's evaluation slot its evaluator: the
// supervisor with the least open work among those of the station's county
// (widening to its city, then its province, when the county has nobody
// free), never one employed by the operating organisation and never one
// already evaluating the station. With nobody eligible the office holds
// the task (EvaluatorID nil). Assigning a slot again returns the first
// answer. Assignments in one region are serialised.
func (s *Store) AssignEvaluator(ctx context.Context, cycleID, stationID uuid.UUID, slot int, taskID uuid.UUID, org *uuid.UUID, stationRegion, actor string) (Evaluation, error) {
	var out Evaluation
	err := s.inTx(ctx, func(tx pgx.Tx, q *db.Queries) error {
		county := stationRegion[:min(6, len(stationRegion))]
		if err := q.LockEvaluatorAssignments(ctx, county); err != nil {
			return err
		}
		existing, err := q.GetEvaluation(ctx, db.GetEvaluationParams{CycleID: cycleID, StationID: stationID, Slot: slot})
		if err == nil {
			out = Evaluation(existing)
			return nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		evaluator, err := leastBusyEvaluator(ctx, q, cycleID, stationID, taskID, org, stationRegion)
		if err != nil {
			return err
		}
		row, err := q.InsertEvaluation(ctx, db.InsertEvaluationParams{CycleID: cycleID, StationID: stationID, Slot: slot,
			EvaluatorID: evaluator, TaskID: taskID})
		if err != nil {
			return err
		}
		out = Evaluation(row)
		return AppendAudit(ctx, tx, AuditEntry{Actor: actor, Action: "evaluation.evaluator_assigned", ObjectType: "station",
			ObjectID: stationID.String(), Detail: mustJSON(map[string]any{"cycle_id": cycleID, "slot": slot, "evaluator_id": evaluator, "task_id": taskID})})
	})
	return out, err
}

// leastBusyEvaluator picks the evaluator in the station's county, widening
// to its city, then its province, when the county has nobody free; nil
// when nobody is eligible.
func leastBusyEvaluator(ctx context.Context, q *db.Queries, cycleID, stationID, taskID uuid.UUID, org *uuid.UUID, stationRegion string) (*uuid.UUID, error) {
	for _, n := range []int{6, 4, 2} {
		id, err := q.LeastBusyEvaluator(ctx, db.LeastBusyEvaluatorParams{Region: stationRegion[:min(n, len(stationRegion))],
			OrganisationID: org, CycleID: cycleID, StationID: stationID})
		if errors.Is(err, pgx.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, err
		}
		task := AssigneeTask{ID: taskID, Kind: flow.KindAnnualEvaluation, StationID: stationID, SubjectID: &cycleID}
		if picked, err := eligible(ctx, q, task, &id); err != nil || picked != nil {
			return picked, err
		}
	}
	return nil, nil
}

// RecordEvaluation stores an evaluator's total; recording it again changes
// nothing.
func (s *Store) RecordEvaluation(ctx context.Context, cycleID, stationID uuid.UUID, slot int, total float64, passed bool) error {
	n, err := s.q.RecordEvaluation(ctx, db.RecordEvaluationParams{CycleID: cycleID, StationID: stationID, Slot: slot, Total: &total, Passed: &passed})
	if err != nil || n > 0 {
		return err
	}
	exists, err := s.q.EvaluationExists(ctx, db.EvaluationExistsParams{CycleID: cycleID, StationID: stationID, Slot: slot})
	if err != nil {
		return err
	}
	if !exists {
		return fmt.Errorf("evaluation slot %d of station %s: %w", slot, stationID, ErrNotFound)
	}
	return nil
}

// Evaluations lists a station's evaluation slots in a cycle.
func (s *Store) Evaluations(ctx context.Context, cycleID, stationID uuid.UUID) ([]Evaluation, error) {
	rows, err := s.q.Evaluations(ctx, db.EvaluationsParams{CycleID: cycleID, StationID: stationID})
	return mapRows(rows, func(r db.EvaluationsRow) Evaluation { return Evaluation(r) }), err
}

// EvaluatorScores lists every filed evaluator total of a cycle.
func (s *Store) EvaluatorScores(ctx context.Context, cycleID uuid.UUID) ([]grading.Scored, error) {
	rows, err := s.q.EvaluatorScores(ctx, cycleID)
	return mapRows(rows, func(r db.EvaluatorScoresRow) grading.Scored {
		return grading.Scored{StationID: r.StationID, EvaluatorID: r.EvaluatorID, Total: r.Total}
	}), err
}
