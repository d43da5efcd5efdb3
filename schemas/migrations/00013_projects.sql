-- Projects (民生项目) a station runs with money from a funder, and the
-- optional link from a service record to the project it belongs to. The
-- resources a station integrates (资源整合) are the amounts of its
-- projects, by funder kind.

-- +goose Up
CREATE TABLE projects (
    id              uuid PRIMARY KEY,
    station_id      uuid NOT NULL REFERENCES stations (id),
    organisation_id uuid NOT NULL REFERENCES organisations (id),
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    service_lines   text[] NOT NULL CHECK (cardinality(service_lines) >= 1 AND service_lines <@ ARRAY['needs_assessment',
        'resource_linking', 'social_assistance', 'elderly_child_care', 'community_governance', 'industry_development']),
    funder_kind     text NOT NULL CHECK (funder_kind IN ('civil_affairs', 'community_governance', 'womens_federation',
        'youth_league', 'disabled_persons_federation', 'charity_federation', 'foundation', 'enterprise', 'other')),
    funder_name     text NOT NULL CHECK (length(funder_name) BETWEEN 1 AND 200),
    amount_fen      bigint NOT NULL CHECK (amount_fen > 0 AND amount_fen <= 1000000000000),
    start_date      date NOT NULL,
    end_date        date NOT NULL CHECK (end_date >= start_date),
    beneficiaries   int NOT NULL CHECK (beneficiaries >= 0),
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (id, station_id)
);
CREATE INDEX projects_station_period ON projects (station_id, start_date, end_date);

-- A record names a project of its own station: the key pairs the project
-- with the record's station.
ALTER TABLE service_records ADD COLUMN project_id uuid,
    ADD CONSTRAINT service_records_project FOREIGN KEY (project_id, station_id) REFERENCES projects (id, station_id);

-- +goose Down
ALTER TABLE service_records DROP CONSTRAINT service_records_project, DROP COLUMN project_id;
DROP TABLE projects;
