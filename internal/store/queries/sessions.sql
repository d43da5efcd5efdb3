-- name: InsertSession :exec
-- Seen at the clock's time, not the transaction's start: the sign-in's
-- password check may take a while.
INSERT INTO sessions (id, token_hash, account_id, expires_at, created_at, last_seen_at)
VALUES ($1, $2, $3, $4, clock_timestamp(), clock_timestamp());

-- name: UseSession :one
-- A live session of an active account, marked as seen now: it has not
-- ended, passed its absolute expiry, or been idle longer than idle.
UPDATE sessions s SET last_seen_at = now()
FROM accounts a
WHERE s.token_hash = $1 AND a.id = s.account_id AND a.state = 'active'
  AND s.ended_at IS NULL AND s.expires_at > now()
  AND s.last_seen_at > now() - make_interval(secs => sqlc.arg(idle_seconds)::float8)
RETURNING s.id, s.account_id, a.display_name;

-- name: EndSession :one
UPDATE sessions SET ended_at = now() WHERE token_hash = $1 AND ended_at IS NULL RETURNING id, account_id;

-- name: EndAccountSessions :many
-- Ends every live session of the account except keep (uuid.Nil keeps none).
UPDATE sessions SET ended_at = now()
WHERE account_id = $1 AND ended_at IS NULL AND id <> sqlc.arg(keep)::uuid RETURNING id;

-- name: LockSignInSubject :exec
-- Serialises the attempts on one throttled subject until the transaction ends.
SELECT pg_advisory_xact_lock(hashtextextended(sqlc.arg(subject)::text, 0));

-- name: InsertSignInFailure :exec
INSERT INTO sign_in_failures (subject) VALUES ($1);

-- name: SignInFailures :one
-- How many failures a subject has had within the window, and how long
-- until the oldest of them leaves it.
SELECT count(*)::int AS failures,
       coalesce(extract(epoch FROM min(at) + make_interval(secs => sqlc.arg(window_seconds)::float8) - now()), 0)::float8 AS retry_seconds
FROM sign_in_failures
WHERE subject = $1 AND at > now() - make_interval(secs => sqlc.arg(window_seconds)::float8);

-- name: ClearSignInFailures :exec
DELETE FROM sign_in_failures WHERE subject = $1;

-- name: PruneSignInFailures :exec
-- Drops failures that have left every window.
DELETE FROM sign_in_failures WHERE at < now() - make_interval(secs => sqlc.arg(window_seconds)::float8);
