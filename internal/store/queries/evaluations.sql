-- name: GetCycleStation :one
SELECT sqlc.embed(cs), st.level FROM cycle_stations cs JOIN stations st ON st.id = cs.station_id
WHERE cs.cycle_id = $1 AND cs.station_id = $2;

-- name: LatestCycleStation :one
-- The station's place in its most recent cycle that has not been cancelled.
SELECT sqlc.embed(cs), st.level FROM cycle_stations cs JOIN stations st ON st.id = cs.station_id
WHERE cs.station_id = $1 AND cs.state <> 'cancelled' ORDER BY cs.year DESC LIMIT 1;

-- name: CycleStationsAfter :many
SELECT sqlc.embed(cs), st.level FROM cycle_stations cs JOIN stations st ON st.id = cs.station_id
WHERE cs.cycle_id = @cycle_id AND cs.station_id > @after ORDER BY cs.station_id LIMIT @max_rows::int;

-- name: ProjectCycleStation :execrows
-- Nil values leave a column as it is; a version not above the stored one changes nothing.
UPDATE cycle_stations SET state = @state, failure = @failure,
    self_assessment = coalesce(sqlc.narg(self_assessment), self_assessment),
    funding_used_yuan = coalesce(sqlc.narg(funding_used_yuan), funding_used_yuan),
    total = coalesce(sqlc.narg(total), total), grade = coalesce(sqlc.narg(grade), grade), arbitrated = arbitrated OR @arbitrated,
    scorecard_id = coalesce(sqlc.narg(scorecard_id), scorecard_id), proposal = coalesce(sqlc.narg(proposal), proposal),
    decision = coalesce(sqlc.narg(decision), decision), decision_reason = coalesce(sqlc.narg(decision_reason), decision_reason),
    appeal = coalesce(sqlc.narg(appeal), appeal), appeal_reason = coalesce(sqlc.narg(appeal_reason), appeal_reason),
    final_decision = coalesce(sqlc.narg(final_decision), final_decision),
    conditions_due = coalesce(sqlc.narg(conditions_due), conditions_due),
    appeal_until = coalesce(sqlc.narg(appeal_until), appeal_until), version = @version, updated_at = now()
WHERE cycle_id = @cycle_id AND station_id = @station_id AND version < @version;

-- name: CycleStationExists :one
SELECT EXISTS (SELECT 1 FROM cycle_stations WHERE cycle_id = $1 AND station_id = $2);

-- name: UnfinishedCount :one
SELECT count(*)::int FROM cycle_stations WHERE cycle_id = $1 AND state NOT IN ('done', 'failed', 'cancelled');

-- name: UnfinishedCycleStations :many
SELECT station_id FROM cycle_stations
WHERE cycle_id = @cycle_id AND state NOT IN ('done', 'failed', 'cancelled') ORDER BY station_id LIMIT @max_rows::int;

-- name: CancelCycleStations :exec
-- Above any version the stations' evaluations could still write.
UPDATE cycle_stations SET state = 'cancelled', version = version + 1000000, updated_at = now()
WHERE cycle_id = @cycle_id AND station_id = ANY(@ids::uuid[]) AND state NOT IN ('done', 'failed', 'cancelled');

-- name: YearFundingUsed :one
SELECT funding_used_yuan FROM cycle_stations WHERE station_id = @station_id AND year = @year AND state <> 'cancelled';

-- name: LockEvaluatorAssignments :exec
-- Shares its lock with the supervision assignments of the county.
SELECT pg_advisory_xact_lock(hashtext('supervision-assign/' || @county::text));

-- name: GetEvaluation :one
SELECT slot, evaluator_id, task_id, total, passed, filed_at FROM cycle_evaluations
WHERE cycle_id = $1 AND station_id = $2 AND slot = $3;

-- name: LeastBusyEvaluator :one
-- The supervisor of the region with the least open work, never one
-- employed by the operating organisation nor one already evaluating the
-- station; ties broken by ID.
SELECT p.id FROM people p
WHERE p.role = 'supervisor' AND p.region_code LIKE @region::text || '%'
    AND (p.organisation_id IS NULL OR sqlc.narg(organisation_id)::uuid IS NULL OR p.organisation_id <> sqlc.narg(organisation_id)::uuid)
    AND NOT EXISTS (SELECT 1 FROM cycle_evaluations e WHERE e.cycle_id = @cycle_id AND e.station_id = @station_id AND e.evaluator_id = p.id)
ORDER BY (SELECT count(*) FROM cycle_evaluations e WHERE e.evaluator_id = p.id AND e.total IS NULL)
    + (SELECT count(*) FROM tasks t WHERE t.assignee_kind = 'person' AND t.assignee_id = p.id::text
        AND t.state IN ('open', 'claimed', 'escalated') AND t.kind <> 'annual_evaluation'), p.id
LIMIT 1;

-- name: InsertEvaluation :one
INSERT INTO cycle_evaluations (cycle_id, station_id, slot, evaluator_id, task_id)
VALUES ($1, $2, $3, $4, $5) RETURNING slot, evaluator_id, task_id, total, passed, filed_at;

-- name: RecordEvaluation :execrows
UPDATE cycle_evaluations SET total = @total, passed = @passed, filed_at = now()
WHERE cycle_id = @cycle_id AND station_id = @station_id AND slot = @slot AND total IS NULL;

-- name: EvaluationExists :one
SELECT EXISTS (SELECT 1 FROM cycle_evaluations WHERE cycle_id = $1 AND station_id = $2 AND slot = $3);

-- name: Evaluations :many
SELECT slot, evaluator_id, task_id, total, passed, filed_at FROM cycle_evaluations
WHERE cycle_id = $1 AND station_id = $2 ORDER BY slot;

-- name: EvaluatorScores :many
SELECT station_id::text AS station_id, evaluator_id::text AS evaluator_id, total::float8 AS total FROM cycle_evaluations
WHERE cycle_id = $1 AND evaluator_id IS NOT NULL AND total IS NOT NULL;
