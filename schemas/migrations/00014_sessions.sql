-- Browser sessions of people who signed in with a password, and the
-- failed sign-in attempts that throttle guessing. Both live in PostgreSQL
-- so that every API process sees the same sessions and the same counts.

-- +goose Up
-- A session is known by the SHA-256 hash of its cookie's random value.
-- It ends when ended_at is set (sign-out, sign-out everywhere, a password
-- change, a disabled account), when it has been idle longer than the
-- server's idle timeout (last_seen_at), or at expires_at (the absolute
-- timeout, fixed at sign-in).
CREATE TABLE sessions (
    id           uuid PRIMARY KEY,
    token_hash   bytea NOT NULL UNIQUE,
    account_id   uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    ended_at     timestamptz
);
CREATE INDEX sessions_account_live ON sessions (account_id) WHERE ended_at IS NULL;

-- One row per refused sign-in or password-link attempt. subject is an
-- opaque key: "login:" or "addr:" and the hex SHA-256 of the login name or
-- the client address, so neither is stored as typed.
CREATE TABLE sign_in_failures (
    subject text NOT NULL,
    at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sign_in_failures_subject ON sign_in_failures (subject, at);
CREATE INDEX sign_in_failures_at ON sign_in_failures (at);

-- +goose Down
DROP TABLE sign_in_failures;
DROP TABLE sessions;
