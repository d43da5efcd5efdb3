-- name: LockAudit :exec
-- Serialises appends so each row links to the one before it.
SELECT pg_advisory_xact_lock(@key::bigint);

-- name: AuditHead :one
SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1;

-- name: AppendAudit :copyfrom
INSERT INTO audit_log (seq, at, actor, action, object_type, object_id, detail, prev_hash, hash, actor_account_id, actor_name, actor_via)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12);

-- name: AuditChain :many
SELECT seq, at, actor, action, object_type, object_id, detail::text AS detail, prev_hash, hash,
    actor_account_id, actor_name, actor_via
FROM audit_log ORDER BY seq;

-- name: AuditOf :many
SELECT seq, at, actor, action, object_type, object_id, detail::text AS detail
FROM audit_log WHERE object_type = $1 AND object_id = $2 ORDER BY seq;

-- name: AuditSubjectType :one
-- The kind of object an ID names in the audit log, from its first row.
SELECT object_type FROM audit_log WHERE object_id = $1 ORDER BY seq LIMIT 1;

-- name: AuditTrail :many
-- One page of an object's trail, oldest first, after a row.
SELECT seq, at, actor, action, detail::text AS detail, actor_account_id, actor_name, actor_via
FROM audit_log WHERE object_type = $1 AND object_id = $2 AND seq > @after::bigint ORDER BY seq LIMIT @lim::int;
