-- Projections that failed for good (投影失败): a workflow's write of the
-- read model that PostgreSQL refused as data or that ran past its
-- deadline. The workflow records the failure here and waits for a retry
-- signal instead of failing its step, so the office sees it and an alert
-- counts it. Only identifiers and an error class are kept, never a form
-- or a name.

-- +goose Up
CREATE TABLE projection_failures (
    id          uuid PRIMARY KEY,
    workflow_id text NOT NULL,
    run_id      text NOT NULL,
    -- The activity that failed, such as ProjectTask.
    activity    text NOT NULL CHECK (activity ~ '^[A-Za-z]{1,64}$'),
    -- The error's class: the activity's error type (DataError, NotFound,
    -- Invalid) or Timeout.
    error_class text NOT NULL CHECK (error_class ~ '^[A-Za-z]{1,64}$'),
    station_id  uuid,
    region_code text NOT NULL DEFAULT '' CHECK (region_code ~ '^[0-9]{0,12}$'),
    failed_at   timestamptz NOT NULL DEFAULT now(),
    -- When a retry was asked for; a retry that fails again records a new row.
    retried_at  timestamptz,
    retried_by  text
);
CREATE INDEX projection_failures_open ON projection_failures (region_code text_pattern_ops, failed_at) WHERE retried_at IS NULL;

-- +goose Down
DROP TABLE projection_failures;
