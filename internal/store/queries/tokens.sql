-- name: InsertToken :exec
INSERT INTO api_tokens (id, token_hash, role, scope, label) VALUES ($1, $2, $3, $4, $5);

-- name: RevokeTokensByLabel :many
UPDATE api_tokens SET revoked_at = now() WHERE label = $1 AND revoked_at IS NULL RETURNING id;

-- name: LiveToken :one
SELECT id, role, scope FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL;
