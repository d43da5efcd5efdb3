-- name: InsertToken :exec
INSERT INTO api_tokens (id, token_hash, role, scope, label, expires_at) VALUES ($1, $2, $3, $4, $5, $6);

-- name: InsertAccountToken :exec
INSERT INTO api_tokens (id, token_hash, account_id, label, expires_at) VALUES ($1, $2, $3, $4, $5);

-- name: InsertTokenGrant :exec
INSERT INTO api_token_grants (token_id, grant_id) VALUES ($1, $2);

-- name: RevokeTokensByLabel :many
UPDATE api_tokens SET revoked_at = now() WHERE label = $1 AND revoked_at IS NULL RETURNING id;

-- name: RevokeToken :execrows
UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL;

-- name: LiveToken :one
-- A token that is neither revoked nor expired; a personal token's account
-- must be active.
SELECT t.id, coalesce(t.role, '')::text AS role, t.scope, t.account_id, coalesce(a.display_name, '')::text AS display_name
FROM api_tokens t LEFT JOIN accounts a ON a.id = t.account_id
WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())
  AND (t.account_id IS NULL OR a.state = 'active');

-- name: TokenGrants :many
-- The grants a personal token carries that its account still holds.
SELECT g.id, g.role, g.scope, g.duty, g.org_admin
FROM api_token_grants tg JOIN account_grants g ON g.id = tg.grant_id
WHERE tg.token_id = $1 ORDER BY g.created_at, g.id;

-- name: TouchToken :exec
-- Records a token's use at most once a minute, so reads do not each write.
UPDATE api_tokens SET last_used_at = now()
WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute');

-- name: TokenInfo :one
SELECT id, coalesce(role, '')::text AS role, scope, account_id, label, created_at, expires_at, last_used_at, revoked_at
FROM api_tokens WHERE id = $1;

-- name: AccountTokens :many
-- An account's live personal tokens, newest first.
SELECT id, label, created_at, expires_at, last_used_at FROM api_tokens
WHERE account_id = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())
ORDER BY created_at DESC, id;

-- name: RevokeAccountToken :execrows
UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND account_id = $2 AND revoked_at IS NULL;
