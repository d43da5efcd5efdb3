-- Notifications that reach a person: each outbox event is fanned out to
-- the accounts its recipient stands for (an office's, an organisation's or
-- a person's accounts), into each account's in-app list, and from there to
-- the channels the account chose (e-mail, a WeCom or DingTalk group robot
-- of the region), each delivery once per notification and channel.

-- +goose Up
-- When the outbox row was fanned out to accounts; NULL until then.
ALTER TABLE outbox ADD COLUMN fanned_out_at timestamptz;
CREATE INDEX outbox_fan_out ON outbox (id) WHERE fanned_out_at IS NULL;

-- One in-app notification per account per outbox event.
CREATE TABLE inbox_notifications (
    id         uuid PRIMARY KEY,
    account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    event_key  text NOT NULL,
    event      text NOT NULL,
    task_id    uuid,
    region_code text NOT NULL DEFAULT '',
    title      text NOT NULL,
    body       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    read_at    timestamptz,
    UNIQUE (account_id, event_key)
);
CREATE INDEX inbox_notifications_account ON inbox_notifications (account_id, id DESC);

-- The channels an account wants its notifications on, besides the list.
CREATE TABLE notification_preferences (
    account_id uuid PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    email      boolean NOT NULL DEFAULT false,
    wecom      boolean NOT NULL DEFAULT false,
    dingtalk   boolean NOT NULL DEFAULT false,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- The group robots of an office's region: a notification of that region
-- (or of a region below it, when it has none of its own) is posted there.
CREATE TABLE notification_channels (
    region_code     text PRIMARY KEY,
    wecom_url       text NOT NULL DEFAULT '',
    dingtalk_url    text NOT NULL DEFAULT '',
    dingtalk_secret text NOT NULL DEFAULT '',
    updated_by      text NOT NULL,
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- One delivery per notification and channel. target is the e-mail
-- address, or the region whose robot receives it.
CREATE TABLE notification_deliveries (
    id              bigserial PRIMARY KEY,
    delivery_key    text NOT NULL UNIQUE,
    notification_id uuid NOT NULL REFERENCES inbox_notifications (id) ON DELETE CASCADE,
    channel         text NOT NULL CHECK (channel IN ('email', 'wecom', 'dingtalk')),
    target          text NOT NULL,
    attempts        int NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    delivered_at    timestamptz,
    failed_at       timestamptz,
    last_error      text NOT NULL DEFAULT ''
);
CREATE INDEX notification_deliveries_due ON notification_deliveries (next_attempt_at)
    WHERE delivered_at IS NULL AND failed_at IS NULL;

-- +goose Down
DROP TABLE notification_deliveries;
DROP TABLE notification_channels;
DROP TABLE notification_preferences;
DROP TABLE inbox_notifications;
DROP INDEX outbox_fan_out;
ALTER TABLE outbox DROP COLUMN fanned_out_at;
