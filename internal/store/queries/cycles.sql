-- name: LockCycleYear :exec
-- Cycles of one year are created one at a time, so no station is included twice.
SELECT pg_advisory_xact_lock(hashtext('cycle-year/' || @year::int));

-- name: InsertCycle :exec
INSERT INTO cycles (id, region_code, year, rubric_version, bands, self_assessment_due, evaluation_due,
    evaluators_per_station, disagreement_threshold, on_disagreement, appeal_workdays, min_term_days, stations, workflow_id, created_by)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15);

-- name: GetCycle :one
SELECT * FROM cycles WHERE id = $1;

-- name: CycleStateCounts :many
SELECT state, count(*)::int AS count FROM cycle_stations WHERE cycle_id = $1 GROUP BY state;

-- name: CycleFailures :many
SELECT station_id, failure FROM cycle_stations WHERE cycle_id = $1 AND state = 'failed' ORDER BY station_id LIMIT 1000;

-- name: CyclesStarting :many
-- Cycles written at least older_than ago that are still starting.
SELECT * FROM cycles WHERE state = 'starting' AND created_at < now() - @older_than::interval
ORDER BY created_at LIMIT @max_rows::int;

-- name: LockCycleState :one
SELECT state FROM cycles WHERE id = $1 FOR UPDATE;

-- name: SetCycleState :exec
UPDATE cycles SET state = @state::text, started = GREATEST(started, @started), updated_at = now(),
    finished_at = CASE WHEN @state::text IN ('completed', 'cancelled') THEN now() END
WHERE id = @id;
