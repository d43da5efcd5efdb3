-- name: ProjectRectification :execrows
-- Upserts an item; a version not above the stored one changes nothing.
INSERT INTO rectifications (id, station_id, organisation_id, region_code, scorecard_id, period, indicator,
    indicator_name, critical, points, max_points, verifier_kind, verifier_id, state, round, task_id, response, evidence_ids,
    verification_comment, version, closed_at)
VALUES (@id, @station_id, @organisation_id, @region_code, @scorecard_id, @period, @indicator, @indicator_name, @critical, @points,
    @max_points, @verifier_kind, @verifier_id, @state::text, @round, @task_id, @response, @evidence_ids, @verification_comment, @version,
    CASE WHEN @state::text = 'verified' THEN now() END)
ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state, round = EXCLUDED.round, task_id = EXCLUDED.task_id,
    response = EXCLUDED.response, evidence_ids = EXCLUDED.evidence_ids, verification_comment = EXCLUDED.verification_comment,
    version = EXCLUDED.version, updated_at = now(), closed_at = COALESCE(rectifications.closed_at, EXCLUDED.closed_at)
WHERE rectifications.version < EXCLUDED.version;

-- name: GetRectification :one
-- The due date and overdue flag come from the item's current task.
SELECT r.id, r.station_id, r.organisation_id, r.region_code, r.scorecard_id, r.period, r.indicator, r.indicator_name,
    r.critical, r.points, r.max_points, r.verifier_kind, r.verifier_id, r.state, r.round, r.task_id, t.due_at,
    coalesce(t.state IN ('open', 'claimed', 'escalated') AND t.due_at < now(), false)::bool AS overdue, r.response, r.evidence_ids,
    r.verification_comment, r.version, r.created_at, r.updated_at, r.closed_at,
    ARRAY(SELECT f.id FROM files f WHERE f.id = ANY(r.evidence_ids) ORDER BY array_position(r.evidence_ids, f.id))::uuid[] AS evidence_file_ids
FROM rectifications r LEFT JOIN tasks t ON t.id = r.task_id WHERE r.id = $1;

-- name: YearRectifications :many
SELECT r.id, r.station_id, r.organisation_id, r.region_code, r.scorecard_id, r.period, r.indicator, r.indicator_name,
    r.critical, r.points, r.max_points, r.verifier_kind, r.verifier_id, r.state, r.round, r.task_id, t.due_at,
    coalesce(t.state IN ('open', 'claimed', 'escalated') AND t.due_at < now(), false)::bool AS overdue, r.response, r.evidence_ids,
    r.verification_comment, r.version, r.created_at, r.updated_at, r.closed_at,
    ARRAY(SELECT f.id FROM files f WHERE f.id = ANY(r.evidence_ids) ORDER BY array_position(r.evidence_ids, f.id))::uuid[] AS evidence_file_ids
FROM rectifications r LEFT JOIN tasks t ON t.id = r.task_id
WHERE r.station_id = @station_id AND r.period LIKE @year::text || 'Q%'
ORDER BY r.period, r.indicator;

-- name: OpenRectifications :many
SELECT id, critical FROM rectifications WHERE station_id = $1 AND state <> 'verified' ORDER BY id;

-- name: StillOpen :many
SELECT id FROM rectifications WHERE id = ANY(@ids::uuid[]) AND state <> 'verified' ORDER BY id;
