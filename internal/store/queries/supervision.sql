-- name: LockAssignments :exec
-- Serialises the assignment of supervisors in one county, so that
-- stations opened at the same moment spread over its supervisors.
SELECT pg_advisory_xact_lock(hashtext('supervision-assign/' || @county::text));

-- name: GetSupervisionQuarter :one
SELECT * FROM supervision_quarters WHERE station_id = $1 AND period = $2;

-- name: LeastBusySupervisor :one
-- The supervisor of the county with the least open work (open supervisions
-- and other open tasks), never one who works for the operating
-- organisation; ties broken by ID.
SELECT p.id FROM people p
WHERE p.role = 'supervisor' AND p.region_code LIKE @region::text || '%'
    AND (p.organisation_id IS NULL OR sqlc.narg(organisation_id)::uuid IS NULL OR p.organisation_id <> sqlc.narg(organisation_id)::uuid)
ORDER BY (SELECT count(*) FROM supervision_quarters sq WHERE sq.supervisor_id = p.id AND sq.state = 'open')
    + (SELECT count(*) FROM tasks t WHERE t.assignee_kind = 'person' AND t.assignee_id = p.id::text
        AND t.state IN ('open', 'claimed', 'escalated') AND t.kind <> 'quarterly_supervision'), p.id
LIMIT 1;

-- name: InsertSupervisionQuarter :one
INSERT INTO supervision_quarters (station_id, period, contract_id, organisation_id, supervisor_id, task_id, rubric_version)
VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *;

-- name: CloseSupervisionQuarter :execrows
UPDATE supervision_quarters SET state = @state, scorecard_id = @scorecard_id, reason = @reason, updated_at = now()
WHERE station_id = @station_id AND period = @period AND state = 'open';

-- name: SupervisionQuarterExists :one
SELECT EXISTS (SELECT 1 FROM supervision_quarters WHERE station_id = $1 AND period = $2);

-- name: CountSupervisionQuarters :one
SELECT count(*)::int FROM supervision_quarters WHERE station_id = $1;

-- name: YearQuarterStates :many
SELECT period, state FROM supervision_quarters WHERE station_id = @station_id AND period LIKE @year::text || 'Q%';
