-- Annual evaluation cycles (年度考核): the cycle an office starts for its
-- region and year, each included station's way through it, and each
-- evaluator's score.

-- +goose Up
CREATE TABLE cycles (
    id                     uuid PRIMARY KEY,
    region_code            text NOT NULL CHECK (region_code ~ '^[0-9]{2}([0-9]{2}([0-9]{2})?)?$'),
    year                   int NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    rubric_version         text NOT NULL,
    -- The grade bands, frozen when the cycle starts.
    bands                  jsonb NOT NULL,
    self_assessment_due    timestamptz NOT NULL,
    evaluation_due         timestamptz NOT NULL,
    evaluators_per_station int NOT NULL CHECK (evaluators_per_station BETWEEN 1 AND 5),
    disagreement_threshold numeric(5, 2) NOT NULL CHECK (disagreement_threshold BETWEEN 0 AND 100),
    on_disagreement        text NOT NULL CHECK (on_disagreement IN ('third_evaluator', 'arbitration')),
    appeal_workdays        int NOT NULL CHECK (appeal_workdays BETWEEN 1 AND 60),
    min_term_days          int NOT NULL CHECK (min_term_days BETWEEN 0 AND 366),
    state                  text NOT NULL DEFAULT 'starting'
        CHECK (state IN ('starting', 'running', 'completed', 'cancelling', 'cancelled')),
    stations               int NOT NULL CHECK (stations >= 0),
    started                int NOT NULL DEFAULT 0,
    workflow_id            text NOT NULL UNIQUE,
    created_by             text NOT NULL,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    finished_at            timestamptz
);
CREATE INDEX cycles_region ON cycles (region_code text_pattern_ops, id);

CREATE TABLE cycle_stations (
    cycle_id        uuid NOT NULL REFERENCES cycles (id),
    station_id      uuid NOT NULL REFERENCES stations (id),
    year            int NOT NULL,
    region_code     text NOT NULL,
    organisation_id uuid REFERENCES organisations (id),
    contract_id     uuid REFERENCES contracts (id),
    state           text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'self_assessment', 'evaluation',
        'arbitration', 'decision', 'appeal', 'conditions', 'done', 'failed', 'cancelled')),
    failure         text NOT NULL DEFAULT '',
    self_assessment numeric(5, 2),
    -- What the organisation declared it spent of the funding, in its self-assessment.
    funding_used_yuan numeric(14, 2) CHECK (funding_used_yuan >= 0),
    total           numeric(5, 2),
    grade           text,
    arbitrated      boolean NOT NULL DEFAULT false,
    scorecard_id    uuid REFERENCES scorecards (id),
    proposal        text CHECK (proposal IN ('renew', 'conditional_renew', 'exit')),
    decision        text CHECK (decision IN ('renew', 'conditional_renew', 'exit')),
    decision_reason text NOT NULL DEFAULT '',
    appeal          text NOT NULL DEFAULT '' CHECK (appeal IN ('', 'open', 'upheld', 'changed')),
    appeal_reason   text NOT NULL DEFAULT '',
    final_decision  text CHECK (final_decision IN ('renew', 'conditional_renew', 'exit')),
    appeal_until    timestamptz,
    conditions_due  timestamptz,
    -- version orders projections: a late or repeated write never moves the
    -- station backwards.
    version         bigint NOT NULL DEFAULT 0,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (cycle_id, station_id)
);
-- A station is evaluated once a year; a cancelled cycle frees its stations.
CREATE UNIQUE INDEX cycle_stations_once_a_year ON cycle_stations (station_id, year) WHERE state <> 'cancelled';
CREATE INDEX cycle_stations_state ON cycle_stations (cycle_id, state);
CREATE INDEX cycle_stations_organisation ON cycle_stations (organisation_id);

CREATE TABLE cycle_evaluations (
    cycle_id     uuid NOT NULL,
    station_id   uuid NOT NULL,
    slot         int NOT NULL CHECK (slot BETWEEN 1 AND 6),
    -- NULL when no evaluator could be assigned: the county office holds the task.
    evaluator_id uuid REFERENCES people (id),
    task_id      uuid NOT NULL UNIQUE,
    total        numeric(5, 2) CHECK (total BETWEEN 0 AND 100),
    passed       boolean,
    filed_at     timestamptz,
    PRIMARY KEY (cycle_id, station_id, slot),
    FOREIGN KEY (cycle_id, station_id) REFERENCES cycle_stations (cycle_id, station_id)
);
CREATE INDEX cycle_evaluations_open ON cycle_evaluations (evaluator_id) WHERE total IS NULL;
CREATE INDEX cycle_evaluations_evaluator ON cycle_evaluations (cycle_id, evaluator_id);

-- A cycle's open tasks, for its bulk actions.
CREATE INDEX tasks_subject ON tasks (subject_id, kind) WHERE state IN ('open', 'claimed', 'escalated');

-- +goose Down
DROP INDEX tasks_subject;
DROP TABLE cycle_evaluations;
DROP TABLE cycle_stations;
DROP TABLE cycles;
