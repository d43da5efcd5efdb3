-- Service records (what a station did, in counts only: no resident is
-- named), the imports that brought them in, and evidence files filed by
-- quarter.

-- +goose Up
-- One row per import or JSON batch; the digest of the bytes received makes
-- a re-sent file a replay of the first.
CREATE TABLE service_record_imports (
    id              uuid PRIMARY KEY,
    station_id      uuid NOT NULL REFERENCES stations (id),
    organisation_id uuid NOT NULL REFERENCES organisations (id),
    source          text NOT NULL CHECK (source IN ('json', 'csv')),
    sha256          bytea NOT NULL CHECK (length(sha256) = 32),
    rows            int NOT NULL CHECK (rows >= 0),
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (station_id, sha256),
    UNIQUE (id, station_id, organisation_id)
);

CREATE TABLE service_records (
    id                     uuid PRIMARY KEY,
    station_id             uuid NOT NULL,
    organisation_id        uuid NOT NULL,
    import_id              uuid NOT NULL,
    line                   int NOT NULL CHECK (line > 0),
    date                   date NOT NULL,
    service_line           text NOT NULL CHECK (service_line IN ('needs_assessment', 'resource_linking',
        'social_assistance', 'elderly_child_care', 'community_governance', 'industry_development')),
    activity_type          text NOT NULL,
    beneficiaries_elderly  int NOT NULL CHECK (beneficiaries_elderly >= 0),
    beneficiaries_children int NOT NULL CHECK (beneficiaries_children >= 0),
    beneficiaries_disabled int NOT NULL CHECK (beneficiaries_disabled >= 0),
    beneficiaries_hardship int NOT NULL CHECK (beneficiaries_hardship >= 0),
    volunteers             int CHECK (volunteers >= 0),
    volunteer_hours        numeric(12, 2) CHECK (volunteer_hours >= 0),
    resources_yuan         numeric(14, 2) CHECK (resources_yuan >= 0),
    cases                  int CHECK (cases >= 0),
    created_at             timestamptz NOT NULL DEFAULT now(),
    UNIQUE (import_id, line),
    -- One key checks the station and the organisation through the import,
    -- whose row references both: a single check per row keeps a large
    -- import fast. Deferred: a streamed import writes its rows first and
    -- its import row last, once the digest of the whole file is known.
    FOREIGN KEY (import_id, station_id, organisation_id)
        REFERENCES service_record_imports (id, station_id, organisation_id) DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX service_records_station_date ON service_records (station_id, date);

-- Evidence files: application documents keep kind 'document' and no period.
ALTER TABLE files
    ADD COLUMN kind text NOT NULL DEFAULT 'document'
        CHECK (kind IN ('document', 'photo', 'sign_in_sheet', 'case_document')),
    ADD COLUMN period text CHECK (period ~ '^[0-9]{4}Q[1-4]$'),
    ADD COLUMN evidence_date date;
CREATE INDEX files_station_period ON files (station_id, period);
-- The same bytes filed twice for one station and quarter are one file.
CREATE UNIQUE INDEX files_station_period_sha256 ON files (station_id, period, sha256) WHERE period IS NOT NULL;

-- +goose Down
DROP INDEX files_station_period_sha256;
DROP INDEX files_station_period;
ALTER TABLE files DROP COLUMN evidence_date, DROP COLUMN period, DROP COLUMN kind;
DROP TABLE service_records;
DROP TABLE service_record_imports;
