-- name: StationAt :one
SELECT EXISTS (SELECT 1 FROM stations WHERE level = @level AND region_code = @region_code);

-- name: StationParent :one
SELECT level, region_code FROM stations WHERE id = $1;

-- name: InsertStation :one
INSERT INTO stations (id, name, level, region_code, parent_id, phase, phase_version)
VALUES ($1, $2, $3, $4, $5, $6, $7)
RETURNING created_at, updated_at;

-- name: GetStation :one
SELECT * FROM stations WHERE id = $1;

-- name: IsAssignedSupervisor :one
SELECT EXISTS (SELECT 1 FROM supervisor_assignments WHERE person_id = $1 AND station_id = $2);

-- name: AssignSupervisor :execrows
INSERT INTO supervisor_assignments (person_id, station_id) VALUES ($1, $2) ON CONFLICT DO NOTHING;

-- name: MarkWorkflowStarted :exec
UPDATE stations SET workflow_started = true WHERE id = ANY(@ids::uuid[]) AND NOT workflow_started;

-- name: StationsWithoutWorkflow :many
SELECT * FROM stations WHERE NOT workflow_started ORDER BY id LIMIT @max_rows::int;

-- name: ProjectStationPhase :one
UPDATE stations AS s SET phase = @phase, operator_id = @operator_id, phase_version = @version, updated_at = now(),
    workflow_started = true
FROM (SELECT id, phase FROM stations WHERE stations.id = @station_id FOR UPDATE) AS old
WHERE s.id = old.id AND s.phase_version < @version
RETURNING old.phase;

-- name: StationExists :one
SELECT EXISTS (SELECT 1 FROM stations WHERE id = $1);
