-- name: EvaluatesStationElsewhere :one
-- Whether the person evaluates the station in the cycle through a task
-- other than this one: as the evaluator of another slot, or as the
-- assignee of another of its evaluation tasks.
SELECT (EXISTS (SELECT 1 FROM cycle_evaluations e
        WHERE e.cycle_id = @cycle_id::uuid AND e.station_id = @station_id::uuid
            AND e.evaluator_id = @person_id::uuid AND e.task_id <> @task_id::uuid)
    OR EXISTS (SELECT 1 FROM tasks t
        WHERE t.kind = 'annual_evaluation' AND t.subject_id = @cycle_id::uuid AND t.station_id = @station_id::uuid
            AND t.assignee_kind = 'person' AND t.assignee_id = (@person_id::uuid)::text AND t.id <> @task_id::uuid))::bool;
