package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/stationflow/stationflow/internal/grading"
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
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		county := stationRegion[:min(6, len(stationRegion))]
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('supervision-assign/' || $1))`, county); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `SELECT slot, evaluator_id, task_id, total::float8, passed, filed_at FROM cycle_evaluations
			WHERE cycle_id = $1 AND station_id = $2 AND slot = $3`, cycleID, stationID, slot)
		existing, err := collectOne(rows, scanEvaluation)
		if err == nil {
			out = existing
			return nil
		}
		if !errors.Is(err, ErrNotFound) {
			return err
		}
		var evaluator *uuid.UUID
		for _, prefix := range []string{county, stationRegion[:min(4, len(stationRegion))], stationRegion[:min(2, len(stationRegion))]} {
			err = tx.QueryRow(ctx, `SELECT p.id FROM people p
				WHERE p.role = 'supervisor' AND p.region_code LIKE $1 || '%'
					AND (p.organisation_id IS NULL OR $2::uuid IS NULL OR p.organisation_id <> $2::uuid)
					AND NOT EXISTS (SELECT 1 FROM cycle_evaluations e WHERE e.cycle_id = $3 AND e.station_id = $4 AND e.evaluator_id = p.id)
				ORDER BY (SELECT count(*) FROM cycle_evaluations e WHERE e.evaluator_id = p.id AND e.total IS NULL)
					+ (SELECT count(*) FROM tasks t WHERE t.assignee_kind = 'person' AND t.assignee_id = p.id::text
						AND t.state IN ('open', 'claimed', 'escalated') AND t.kind <> 'annual_evaluation'), p.id
				LIMIT 1`, prefix, org, cycleID, stationID).Scan(&evaluator)
			if err == nil {
				break
			}
			if !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
		}
		rows, _ = tx.Query(ctx, `INSERT INTO cycle_evaluations (cycle_id, station_id, slot, evaluator_id, task_id)
			VALUES ($1, $2, $3, $4, $5) RETURNING slot, evaluator_id, task_id, total::float8, passed, filed_at`,
			cycleID, stationID, slot, evaluator, taskID)
		if out, err = collectOne(rows, scanEvaluation); err != nil {
			return err
		}
		return AppendAudit(ctx, tx, AuditEntry{Actor: actor, Action: "evaluation.evaluator_assigned", ObjectType: "station",
			ObjectID: stationID.String(), Detail: mustJSON(map[string]any{"cycle_id": cycleID, "slot": slot, "evaluator_id": evaluator, "task_id": taskID})})
	})
	return out, err
}

func scanEvaluation(r pgx.CollectableRow) (Evaluation, error) {
	var e Evaluation
	err := r.Scan(&e.Slot, &e.EvaluatorID, &e.TaskID, &e.Total, &e.Passed, &e.FiledAt)
	return e, err
}

// RecordEvaluation stores an evaluator's total; recording it again changes
// nothing.
func (s *Store) RecordEvaluation(ctx context.Context, cycleID, stationID uuid.UUID, slot int, total float64, passed bool) error {
	tag, err := s.pool.Exec(ctx, `UPDATE cycle_evaluations SET total = $4, passed = $5, filed_at = now()
		WHERE cycle_id = $1 AND station_id = $2 AND slot = $3 AND total IS NULL`, cycleID, stationID, slot, total, passed)
	if err != nil || tag.RowsAffected() > 0 {
		return err
	}
	var exists bool
	if err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM cycle_evaluations WHERE cycle_id = $1 AND station_id = $2 AND slot = $3)`,
		cycleID, stationID, slot).Scan(&exists); err != nil {
		return err
	}
	if !exists {
		return fmt.Errorf("evaluation slot %d of station %s: %w", slot, stationID, ErrNotFound)
	}
	return nil
}

// Evaluations lists a station's evaluation slots in a cycle.
func (s *Store) Evaluations(ctx context.Context, cycleID, stationID uuid.UUID) ([]Evaluation, error) {
	rows, _ := s.pool.Query(ctx, `SELECT slot, evaluator_id, task_id, total::float8, passed, filed_at FROM cycle_evaluations
		WHERE cycle_id = $1 AND station_id = $2 ORDER BY slot`, cycleID, stationID)
	return pgx.CollectRows(rows, scanEvaluation)
}

// EvaluatorScores lists every filed evaluator total of a cycle.
func (s *Store) EvaluatorScores(ctx context.Context, cycleID uuid.UUID) ([]grading.Scored, error) {
	rows, _ := s.pool.Query(ctx, `SELECT station_id::text, evaluator_id::text, total::float8 FROM cycle_evaluations
		WHERE cycle_id = $1 AND evaluator_id IS NOT NULL AND total IS NOT NULL`, cycleID)
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (grading.Scored, error) {
		var sc grading.Scored
		err := r.Scan(&sc.StationID, &sc.EvaluatorID, &sc.Total)
		return sc, err
	})
}
