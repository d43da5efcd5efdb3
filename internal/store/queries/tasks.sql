-- name: ProjectTask :execrows
-- Upserts a task; a version not above the stored one changes nothing.
INSERT INTO tasks (id, workflow_id, kind, station_id, region_code, subject_id, assignee_kind, assignee_id,
    escalated_to, escalation_level, state, claimed_by, priority, due_at, paused, result, version, completed_at, period, rubric,
    outcome, choices)
VALUES (@id, @workflow_id, @kind, @station_id, @region_code, @subject_id, @assignee_kind, @assignee_id,
    NULLIF(@escalated_to::text, ''), @escalation_level, @state::text, NULLIF(@claimed_by::text, ''), @priority, @due_at, @paused,
    sqlc.narg(result)::jsonb, @version, CASE WHEN @state::text = 'completed' THEN now() END, NULLIF(@period::text, ''),
    sqlc.narg(rubric)::jsonb, @outcome::text, @choices::text[])
ON CONFLICT (id) DO UPDATE SET assignee_kind = EXCLUDED.assignee_kind, assignee_id = EXCLUDED.assignee_id,
    escalated_to = EXCLUDED.escalated_to, escalation_level = EXCLUDED.escalation_level, state = EXCLUDED.state,
    claimed_by = EXCLUDED.claimed_by, priority = EXCLUDED.priority, due_at = EXCLUDED.due_at, paused = EXCLUDED.paused,
    result = COALESCE(EXCLUDED.result, tasks.result), rubric = COALESCE(tasks.rubric, EXCLUDED.rubric), version = EXCLUDED.version,
    updated_at = now(), completed_at = COALESCE(tasks.completed_at, EXCLUDED.completed_at)
WHERE tasks.version < EXCLUDED.version;

-- name: GetTask :one
SELECT sqlc.embed(tasks), (state IN ('open', 'claimed', 'escalated') AND due_at < now())::bool AS overdue
FROM tasks WHERE id = $1;

-- name: OrganisationDueTasks :many
-- The open tasks at a station that are the organisation's own work: those
-- addressed to it and the reviews of its own applications, never a
-- competitor's; soonest due first.
-- An inbox leaves the frozen rubric out: it shows on the task itself only.
SELECT t.id, t.workflow_id, t.kind, t.station_id, t.region_code, t.subject_id, t.assignee_kind, t.assignee_id,
    coalesce(t.escalated_to, '')::text AS escalated_to, t.escalation_level, t.state, coalesce(t.claimed_by, '')::text AS claimed_by,
    t.priority, t.due_at, (t.state IN ('open', 'claimed', 'escalated') AND t.due_at < now())::bool AS overdue, t.paused, t.result,
    coalesce(t.period, '')::text AS period, t.version, t.created_at, t.updated_at, t.completed_at
FROM tasks t WHERE t.station_id = @station_id
    AND t.state IN ('open', 'claimed', 'escalated')
    AND ((t.assignee_kind = 'org' AND t.assignee_id = @org_id::text)
        OR t.subject_id IN (SELECT a.id FROM applications a WHERE a.organisation_id = @org_id::uuid))
ORDER BY t.due_at;

-- name: OpenCycleTasks :many
SELECT t.id, t.workflow_id, t.kind, t.station_id, t.region_code, t.subject_id, t.assignee_kind, t.assignee_id,
    coalesce(t.escalated_to, '')::text AS escalated_to, t.escalation_level, t.state, coalesce(t.claimed_by, '')::text AS claimed_by,
    t.priority, t.due_at, (t.state IN ('open', 'claimed', 'escalated') AND t.due_at < now())::bool AS overdue, t.paused, t.result,
    coalesce(t.period, '')::text AS period, t.version, t.created_at, t.updated_at, t.completed_at
FROM tasks t WHERE t.subject_id = @cycle_id::uuid AND t.kind = @kind AND t.state IN ('open', 'claimed', 'escalated') ORDER BY t.id;

-- name: OverdueSummary :many
SELECT t.kind, st.level, count(*) AS count, count(*) FILTER (WHERE t.escalation_level > 0) AS escalated, min(t.due_at)::timestamptz AS oldest_due_at
FROM tasks t JOIN stations st ON st.id = t.station_id
WHERE t.region_code LIKE @region_prefix::text || '%' AND t.state IN ('open', 'claimed', 'escalated') AND t.due_at < now()
GROUP BY t.kind, st.level ORDER BY t.kind, st.level;
