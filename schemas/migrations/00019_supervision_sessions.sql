-- Internal supervision sessions (内部督导): the operator's own supervisor
-- (a roster entry of post internal_supervisor) coaching colleagues of the
-- same station. They are recorded apart from service records, so the six
-- service lines' totals never count them.

-- +goose Up
CREATE TABLE supervision_sessions (
    id              uuid PRIMARY KEY,
    station_id      uuid NOT NULL REFERENCES stations (id),
    organisation_id uuid NOT NULL REFERENCES organisations (id),
    date            date NOT NULL,
    -- The session's length in whole minutes: above 0, at most 12 hours.
    minutes         int NOT NULL CHECK (minutes BETWEEN 1 AND 720),
    supervisor_id   uuid NOT NULL REFERENCES roster_entries (id),
    -- Roster entries of the station's staff supervised, checked where
    -- they enter (of the station, on the roster on the day).
    staff_ids       uuid[] NOT NULL CHECK (cardinality(staff_ids) BETWEEN 1 AND 50),
    topic           text NOT NULL CHECK (length(topic) BETWEEN 1 AND 200),
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX supervision_sessions_station_date ON supervision_sessions (station_id, date);

-- +goose Down
DROP TABLE supervision_sessions;
