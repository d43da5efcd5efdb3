-- name: InsertAccount :exec
INSERT INTO accounts (id, login, display_name, mobile, email, person_id) VALUES ($1, $2, $3, $4, $5, $6);

-- name: InsertGrant :exec
INSERT INTO account_grants (id, account_id, role, scope, duty, org_admin) VALUES ($1, $2, $3, $4, $5, $6);

-- name: AccountByID :one
SELECT id, login, display_name, mobile, email, state, person_id, created_at FROM accounts WHERE id = $1;

-- name: AccountByLogin :one
SELECT id, login, display_name, mobile, email, state, person_id, created_at FROM accounts WHERE login = $1;

-- name: AccountGrants :many
SELECT id, role, scope, duty, org_admin FROM account_grants WHERE account_id = $1 ORDER BY created_at, id;

-- name: SetAccountState :execrows
UPDATE accounts SET state = $2, updated_at = now() WHERE id = $1;

-- name: AccountName :one
SELECT display_name FROM accounts WHERE id = $1;

-- name: InsertSignInLink :exec
INSERT INTO sign_in_links (id, account_id, token_hash, purpose, expires_at) VALUES ($1, $2, $3, $4, $5);

-- name: UseSignInLink :one
-- Marks a live link used; a used or expired link matches nothing.
UPDATE sign_in_links SET used_at = now()
WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()
RETURNING id, account_id, purpose;

-- name: SetPassword :exec
UPDATE accounts SET password_hash = $2, password_changed_at = now(), updated_at = now() WHERE id = $1;

-- name: PasswordHash :one
SELECT coalesce(password_hash, '')::text FROM accounts WHERE id = $1 AND state = 'active';

-- name: DeleteGrant :execrows
DELETE FROM account_grants WHERE id = $1 AND account_id = $2;

-- name: LinkPerson :exec
-- Links the account to a person record when it has none yet.
UPDATE accounts SET person_id = $2, updated_at = now() WHERE id = $1 AND person_id IS NULL;

-- name: EndSignInLinks :exec
-- Ends every unused sign-in link of the account, before a new one replaces them.
UPDATE sign_in_links SET used_at = now() WHERE account_id = $1 AND used_at IS NULL;
