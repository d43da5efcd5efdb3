-- name: LockAudit :exec
-- Serialises appends so each row links to the one before it.
SELECT pg_advisory_xact_lock(@key::bigint);

-- name: AuditHead :one
SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1;

-- name: AppendAudit :copyfrom
INSERT INTO audit_log (seq, at, actor, action, object_type, object_id, detail, prev_hash, hash)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9);

-- name: AuditChain :many
SELECT seq, at, actor, action, object_type, object_id, detail::text AS detail, prev_hash, hash FROM audit_log ORDER BY seq;

-- name: AuditOf :many
SELECT seq, at, actor, action, object_type, object_id, detail::text AS detail
FROM audit_log WHERE object_type = $1 AND object_id = $2 ORDER BY seq;
