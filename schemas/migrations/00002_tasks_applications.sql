-- Human tasks (projected from their workflows), applications to run a
-- station, uploaded files, and the notification outbox.

-- +goose Up
CREATE TABLE files (
    id           uuid PRIMARY KEY,
    sha256       bytea NOT NULL CHECK (length(sha256) = 32),
    size_bytes   bigint NOT NULL CHECK (size_bytes >= 0),
    content_type text NOT NULL,
    filename     text NOT NULL,
    content      bytea NOT NULL,
    owner_org    uuid REFERENCES organisations (id),
    station_id   uuid REFERENCES stations (id),
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX files_sha256 ON files (sha256);

CREATE TABLE applications (
    id              uuid PRIMARY KEY,
    station_id      uuid NOT NULL REFERENCES stations (id),
    organisation_id uuid NOT NULL REFERENCES organisations (id),
    state           text NOT NULL DEFAULT 'submitted' CHECK (state IN
        ('submitted', 'under_review', 'amendment_requested', 'approved', 'rejected', 'closed')),
    staffing        jsonb NOT NULL,
    targets         jsonb NOT NULL,
    budget_yuan     numeric(14, 2) NOT NULL CHECK (budget_yuan >= 0),
    document_ids    uuid[] NOT NULL DEFAULT '{}',
    round           int NOT NULL DEFAULT 1,
    review_task_id  uuid,
    decision_reason text NOT NULL DEFAULT '',
    contract_id     uuid REFERENCES contracts (id),
    version         bigint NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX applications_station ON applications (station_id, id);
CREATE INDEX applications_organisation ON applications (organisation_id, id);
CREATE INDEX applications_submitted ON applications (created_at) WHERE state = 'submitted';

-- One row a task; the task's workflow is its only writer (through activities).
CREATE TABLE tasks (
    id               uuid PRIMARY KEY,
    workflow_id      text NOT NULL UNIQUE,
    kind             text NOT NULL,
    station_id       uuid NOT NULL REFERENCES stations (id),
    region_code      text NOT NULL,
    subject_id       uuid,
    assignee_kind    text NOT NULL CHECK (assignee_kind IN ('office', 'org', 'person')),
    assignee_id      text NOT NULL,
    escalated_to     text,
    escalation_level int NOT NULL DEFAULT 0,
    state            text NOT NULL CHECK (state IN ('open', 'claimed', 'escalated', 'completed', 'cancelled')),
    claimed_by       text,
    priority         int NOT NULL DEFAULT 0,
    due_at           timestamptz NOT NULL,
    paused           boolean NOT NULL DEFAULT false,
    result           jsonb,
    version          bigint NOT NULL DEFAULT 0,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    completed_at     timestamptz
);
CREATE INDEX tasks_assignee ON tasks (assignee_kind, assignee_id, state);
CREATE INDEX tasks_escalated ON tasks (escalated_to, state) WHERE escalated_to IS NOT NULL;
CREATE INDEX tasks_region_due ON tasks (region_code text_pattern_ops, due_at) WHERE state IN ('open', 'claimed', 'escalated');
CREATE INDEX tasks_station ON tasks (station_id);

-- Notifications to deliver to the configured webhook; the key makes a
-- retried activity write a notification once.
CREATE TABLE outbox (
    id              bigserial PRIMARY KEY,
    idempotency_key text NOT NULL UNIQUE,
    event           text NOT NULL,
    task_id         uuid REFERENCES tasks (id),
    recipient       text NOT NULL,
    payload         jsonb NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    attempts        int NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    delivered_at    timestamptz,
    last_error      text NOT NULL DEFAULT ''
);
CREATE INDEX outbox_pending ON outbox (next_attempt_at) WHERE delivered_at IS NULL;

-- +goose Down
DROP TABLE outbox;
DROP TABLE tasks;
DROP TABLE applications;
DROP TABLE files;
