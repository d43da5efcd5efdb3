-- People who sign in: accounts, their role grants, single-use sign-in
-- links, personal access tokens (api_tokens rows that act as an account)
-- and the person an audit row names.

-- +goose Up
CREATE TABLE accounts (
    id                  uuid PRIMARY KEY,
    login               text NOT NULL UNIQUE CHECK (login ~ '^[a-z0-9][a-z0-9._-]{1,63}$'),
    display_name        text NOT NULL CHECK (display_name <> ''),
    mobile              text NOT NULL DEFAULT '',
    email               text NOT NULL DEFAULT '',
    state               text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'disabled')),
    -- The person record (supervisor, evaluator, worker) this account is.
    person_id           uuid UNIQUE REFERENCES people (id),
    -- PHC-encoded argon2id hash; NULL until the first sign-in link is used.
    password_hash       text,
    password_changed_at timestamptz,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);

-- A grant is a role with its scope: admin (no scope); office (a region code
-- prefix, with a duty: clerk 经办 or approver 审批); supervisor (a person
-- ID); org (an organisation ID, optionally its administrator).
CREATE TABLE account_grants (
    id         uuid PRIMARY KEY,
    account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    role       text NOT NULL CHECK (role IN ('admin', 'office', 'supervisor', 'org')),
    scope      text NOT NULL DEFAULT '',
    duty       text NOT NULL DEFAULT '' CHECK (duty IN ('', 'clerk', 'approver')),
    org_admin  boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (account_id, role, scope),
    CHECK ((role = 'office') = (duty <> '')),
    CHECK (NOT org_admin OR role = 'org'),
    CHECK ((role = 'admin') = (scope = ''))
);
CREATE INDEX account_grants_account ON account_grants (account_id, created_at, id);

-- Single-use links that let a person set a password: the first sign-in
-- and a reset. Only the hash of the link's token is kept.
CREATE TABLE sign_in_links (
    id         uuid PRIMARY KEY,
    account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    token_hash bytea NOT NULL UNIQUE,
    purpose    text NOT NULL CHECK (purpose IN ('first_sign_in', 'reset')),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- A token either acts as an account (a personal access token, through a
-- subset of the account's grants) or is a service token with its own role.
ALTER TABLE api_tokens
    ALTER COLUMN role DROP NOT NULL,
    ADD COLUMN account_id   uuid REFERENCES accounts (id),
    ADD COLUMN expires_at   timestamptz,
    ADD COLUMN last_used_at timestamptz,
    ADD CONSTRAINT api_tokens_kind CHECK ((account_id IS NULL) = (role IS NOT NULL));
CREATE INDEX api_tokens_account ON api_tokens (account_id) WHERE account_id IS NOT NULL;

CREATE TABLE api_token_grants (
    token_id uuid NOT NULL REFERENCES api_tokens (id) ON DELETE CASCADE,
    grant_id uuid NOT NULL REFERENCES account_grants (id) ON DELETE CASCADE,
    PRIMARY KEY (token_id, grant_id)
);

-- The person behind an audit row, as they were named when it was written.
-- Rows written before accounts existed, and rows of services and
-- workflows, leave the account empty.
ALTER TABLE audit_log
    ADD COLUMN actor_account_id uuid,
    ADD COLUMN actor_name       text,
    ADD COLUMN actor_via        text CHECK (actor_via IN ('session', 'token', 'service'));
CREATE INDEX audit_log_subject ON audit_log (object_id, seq);

-- +goose Down
DROP INDEX audit_log_subject;
ALTER TABLE audit_log DROP COLUMN actor_via, DROP COLUMN actor_name, DROP COLUMN actor_account_id;
DROP TABLE api_token_grants;
DELETE FROM api_tokens WHERE account_id IS NOT NULL;
ALTER TABLE api_tokens
    DROP CONSTRAINT api_tokens_kind,
    DROP COLUMN last_used_at,
    DROP COLUMN expires_at,
    DROP COLUMN account_id,
    ALTER COLUMN role SET NOT NULL;
DROP TABLE sign_in_links;
DROP TABLE account_grants;
DROP TABLE accounts;
