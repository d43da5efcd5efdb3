-- Quarterly supervision: the quarters each station's schedule has opened,
-- the scorecards supervisors file (immutable once issued), and the
-- rectification items (整改) a failed indicator opens.

-- +goose Up
-- What a task was opened with that its filer needs to see: the quarter it
-- covers and the rubric frozen into it.
ALTER TABLE tasks ADD COLUMN period text, ADD COLUMN rubric jsonb;

CREATE TABLE supervision_quarters (
    station_id     uuid NOT NULL REFERENCES stations (id),
    period         text NOT NULL CHECK (period ~ '^[0-9]{4}Q[1-4]$'),
    contract_id    uuid REFERENCES contracts (id),
    organisation_id uuid REFERENCES organisations (id),
    -- NULL when no supervisor could be assigned: the county office holds the task.
    supervisor_id  uuid REFERENCES people (id),
    task_id        uuid NOT NULL UNIQUE,
    rubric_version text NOT NULL,
    state          text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'filed', 'missed')),
    scorecard_id   uuid,
    reason         text NOT NULL DEFAULT '',
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (station_id, period)
);
CREATE INDEX supervision_quarters_open ON supervision_quarters (supervisor_id) WHERE state = 'open';

CREATE TABLE scorecards (
    id              uuid PRIMARY KEY,
    station_id      uuid NOT NULL REFERENCES stations (id),
    organisation_id uuid REFERENCES organisations (id),
    region_code     text NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('quarterly_supervision', 'annual_evaluation')),
    period          text NOT NULL,
    task_id         uuid NOT NULL,
    rubric_version  text NOT NULL,
    total           numeric(5, 2) NOT NULL CHECK (total BETWEEN 0 AND 100),
    passed          boolean NOT NULL,
    late            boolean NOT NULL DEFAULT false,
    -- The whole issued document; json keeps the bytes the content hash was
    -- computed over.
    document        json NOT NULL,
    content_hash    text NOT NULL CHECK (length(content_hash) = 64),
    filed_by        text NOT NULL,
    issued_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (station_id, kind, period)
);
CREATE INDEX scorecards_station ON scorecards (station_id, issued_at DESC);

-- +goose StatementBegin
CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% rows are immutable once written', TG_TABLE_NAME;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER scorecards_immutable BEFORE UPDATE OR DELETE ON scorecards
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

CREATE TABLE rectifications (
    id                   uuid PRIMARY KEY,
    station_id           uuid NOT NULL REFERENCES stations (id),
    organisation_id      uuid REFERENCES organisations (id),
    region_code          text NOT NULL,
    scorecard_id         uuid NOT NULL REFERENCES scorecards (id),
    period               text NOT NULL,
    indicator            text NOT NULL,
    indicator_name       text NOT NULL DEFAULT '',
    critical             boolean NOT NULL DEFAULT false,
    points               numeric(6, 2) NOT NULL,
    max_points           int NOT NULL,
    -- Who verifies a response: the supervisor who filed the form, or the
    -- county office when none was assigned.
    verifier_kind        text NOT NULL CHECK (verifier_kind IN ('person', 'office')),
    verifier_id          text NOT NULL,
    state                text NOT NULL CHECK (state IN ('open', 'responded', 'verified')),
    round                int NOT NULL DEFAULT 1,
    task_id              uuid,
    response             text NOT NULL DEFAULT '',
    evidence_ids         uuid[] NOT NULL DEFAULT '{}',
    verification_comment text NOT NULL DEFAULT '',
    version              bigint NOT NULL DEFAULT 0,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    closed_at            timestamptz,
    UNIQUE (scorecard_id, indicator)
);
CREATE INDEX rectifications_region ON rectifications (region_code text_pattern_ops, id);
CREATE INDEX rectifications_organisation ON rectifications (organisation_id, id);
CREATE INDEX rectifications_station ON rectifications (station_id, id);

-- +goose Down
DROP TABLE rectifications;
DROP TRIGGER scorecards_immutable ON scorecards;
DROP TABLE scorecards;
DROP FUNCTION refuse_change();
DROP TABLE supervision_quarters;
ALTER TABLE tasks DROP COLUMN rubric, DROP COLUMN period;
