-- The core data model: regions, operating organisations, people, stations,
-- contracts, API tokens and the hash-chained audit log.

-- +goose Up
CREATE TABLE regions (
    code        text PRIMARY KEY CHECK (code ~ '^[0-9]+$' AND length(code) IN (2, 4, 6, 9, 12)),
    level       text NOT NULL CHECK (level IN ('province', 'city', 'county', 'township', 'village')),
    parent_code text REFERENCES regions (code),
    name        text NOT NULL DEFAULT '',
    CHECK ((level = 'province') = (parent_code IS NULL))
);

CREATE TABLE organisations (
    id          uuid PRIMARY KEY,
    name        text NOT NULL,
    credit_code text NOT NULL UNIQUE CHECK (length(credit_code) = 18),
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE people (
    id              uuid PRIMARY KEY,
    name            text NOT NULL,
    role            text NOT NULL CHECK (role IN ('supervisor', 'office_staff', 'social_worker')),
    region_code     text NOT NULL REFERENCES regions (code),
    organisation_id uuid REFERENCES organisations (id),
    qualification   text NOT NULL DEFAULT 'none'
        CHECK (qualification IN ('none', 'assistant', 'intermediate', 'senior')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (role <> 'social_worker' OR organisation_id IS NOT NULL),
    CHECK (role <> 'office_staff' OR organisation_id IS NULL)
);
CREATE INDEX people_region ON people (region_code text_pattern_ops, id);
CREATE INDEX people_organisation ON people (organisation_id, id);

CREATE TABLE stations (
    id               uuid PRIMARY KEY,
    name             text NOT NULL,
    level            text NOT NULL
        CHECK (level IN ('city_centre', 'county_station', 'township_station', 'community_room')),
    region_code      text NOT NULL REFERENCES regions (code),
    parent_id        uuid REFERENCES stations (id),
    operator_id      uuid REFERENCES organisations (id),
    phase            text NOT NULL DEFAULT 'awaiting_operator',
    -- phase_version orders projections: a late or repeated write never moves a phase backwards.
    phase_version    bigint NOT NULL DEFAULT 0,
    workflow_started boolean NOT NULL DEFAULT false,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (level, region_code),
    CHECK ((level = 'city_centre') = (parent_id IS NULL))
);
CREATE INDEX stations_region ON stations (region_code text_pattern_ops, id);
CREATE INDEX stations_operator ON stations (operator_id, id);
CREATE INDEX stations_parent ON stations (parent_id);
CREATE INDEX stations_unstarted ON stations (id) WHERE NOT workflow_started;

CREATE TABLE supervisor_assignments (
    person_id   uuid NOT NULL REFERENCES people (id),
    station_id  uuid NOT NULL REFERENCES stations (id),
    assigned_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (person_id, station_id)
);
CREATE INDEX supervisor_assignments_station ON supervisor_assignments (station_id);

CREATE TABLE contracts (
    id              uuid PRIMARY KEY,
    station_id      uuid NOT NULL REFERENCES stations (id),
    organisation_id uuid NOT NULL REFERENCES organisations (id),
    term_start      date NOT NULL,
    term_end        date NOT NULL,
    funding_yuan    numeric(14, 2) NOT NULL DEFAULT 0 CHECK (funding_yuan >= 0),
    targets         jsonb NOT NULL DEFAULT '{}',
    state           text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'ended', 'terminated')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (term_end > term_start)
);
CREATE INDEX contracts_station ON contracts (station_id, term_start DESC);

CREATE TABLE api_tokens (
    id         uuid PRIMARY KEY,
    token_hash bytea NOT NULL UNIQUE,
    role       text NOT NULL CHECK (role IN ('admin', 'office', 'supervisor', 'org')),
    scope      text NOT NULL DEFAULT '',
    label      text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);
CREATE INDEX api_tokens_label ON api_tokens (label) WHERE revoked_at IS NULL;

-- Each row carries the hash of the row before it; detail is json (not jsonb)
-- so that the bytes that were hashed are the bytes that are stored.
CREATE TABLE audit_log (
    seq         bigint PRIMARY KEY CHECK (seq > 0),
    at          timestamptz NOT NULL,
    actor       text NOT NULL,
    action      text NOT NULL,
    object_type text NOT NULL,
    object_id   text NOT NULL,
    detail      json NOT NULL,
    prev_hash   bytea NOT NULL,
    hash        bytea NOT NULL
);
CREATE INDEX audit_log_object ON audit_log (object_type, object_id, seq);

-- +goose StatementBegin
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

-- +goose Down
DROP TABLE audit_log;
DROP FUNCTION audit_log_append_only();
DROP TABLE api_tokens;
DROP TABLE contracts;
DROP TABLE supervisor_assignments;
DROP TABLE stations;
DROP TABLE people;
DROP TABLE organisations;
DROP TABLE regions;
