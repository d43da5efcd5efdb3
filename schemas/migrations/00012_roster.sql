-- A station's staff roster (站长, 专职社工, 兼职, 督导 …) as its operating
-- organisation keeps it, and the staffing rules a province (or a city or
-- county under it) sets above the built-in defaults.

-- +goose Up
CREATE TABLE roster_entries (
    id              uuid PRIMARY KEY,
    station_id      uuid NOT NULL REFERENCES stations (id),
    -- The organisation that operated the station when the entry was made:
    -- its staff.
    organisation_id uuid NOT NULL REFERENCES organisations (id),
    -- The person record, when the member of staff has one.
    person_id       uuid REFERENCES people (id),
    -- Personal data: stays in PostgreSQL, never in logs or workflow IDs.
    name            text NOT NULL CHECK (name <> ''),
    post            text NOT NULL CHECK (post IN ('head', 'full_time', 'part_time', 'internal_supervisor',
        'volunteer_coordinator', 'other')),
    qualification   text NOT NULL DEFAULT 'none' CHECK (qualification IN ('none', 'assistant', 'intermediate', 'senior')),
    certificate_no  text NOT NULL DEFAULT '' CHECK (certificate_no ~ '^([A-Z0-9]{6,32})?$'),
    -- joined_on is the first day of work, left_on the last.
    joined_on       date NOT NULL,
    left_on         date,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (left_on IS NULL OR left_on >= joined_on),
    CHECK ((qualification = 'none') = (certificate_no = ''))
);
CREATE INDEX roster_entries_station ON roster_entries (station_id, joined_on, id);
CREATE INDEX roster_entries_person ON roster_entries (person_id, organisation_id) WHERE person_id IS NOT NULL;

-- A staffing rule for the stations of one level under a region prefix. A
-- station passes with at least min_full_time qualified full-time social
-- workers, or (when min_with_part_time is above zero) with at least
-- min_with_part_time qualified social workers, full-time and part-time
-- together. The most specific prefix on a station's region chain wins.
CREATE TABLE staffing_rules (
    region_prefix      text NOT NULL CHECK (region_prefix ~ '^[0-9]+$' AND length(region_prefix) IN (2, 4, 6)),
    level              text NOT NULL CHECK (level IN ('city_centre', 'county_station', 'township_station', 'community_room')),
    min_full_time      int NOT NULL CHECK (min_full_time BETWEEN 0 AND 50),
    min_with_part_time int NOT NULL CHECK (min_with_part_time BETWEEN 0 AND 50),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (region_prefix, level)
);

-- +goose Down
DROP TABLE staffing_rules;
DROP TABLE roster_entries;
