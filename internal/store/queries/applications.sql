-- name: InsertApplicationDocument :exec
INSERT INTO files (id, sha256, size_bytes, content_type, filename, content, owner_org, station_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8);

-- name: InsertApplication :one
INSERT INTO applications (id, station_id, organisation_id, state, staffing, targets, budget_yuan, document_ids)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING created_at, updated_at;

-- name: GetApplication :one
SELECT * FROM applications WHERE id = $1;

-- name: ApplicationsAwaitingReview :many
-- Applications submitted more than older_than ago that no workflow has taken yet.
SELECT * FROM applications
WHERE state = 'submitted' AND created_at < now() - @older_than::interval ORDER BY created_at LIMIT @max_rows::int;

-- name: ProjectApplication :execrows
UPDATE applications SET state = @state, round = @round, review_task_id = coalesce(@review_task_id, review_task_id),
    decision_reason = @decision_reason, contract_id = coalesce(@contract_id, contract_id), version = @version, updated_at = now()
WHERE id = @id AND version < @version;

-- name: AmendApplication :execrows
UPDATE applications SET staffing = @staffing, targets = @targets, budget_yuan = @budget_yuan, round = @round, updated_at = now()
WHERE id = @id AND round < @round;

-- name: CloseUnreviewedApplication :execrows
UPDATE applications SET state = 'closed', decision_reason = @reason, updated_at = now()
WHERE id = @id AND state = 'submitted';
