-- Region names: the national administrative divisions down to township,
-- loaded from the data set embedded in the binary (internal/regions) after
-- the migrations run. A region from that data set is official; a region
-- created for a station or person outside it (a code newer than the data
-- set, or a village, which the data set does not list) is not.

-- +goose Up
ALTER TABLE regions ADD COLUMN official boolean NOT NULL DEFAULT false;

-- A station's parent is required only where the station one level up
-- exists (a county general station in a city with no city centre has
-- none); a city centre still has none. Escalation follows region codes.
ALTER TABLE stations DROP CONSTRAINT stations_check;
ALTER TABLE stations ADD CONSTRAINT stations_check CHECK (level <> 'city_centre' OR parent_id IS NULL);
CREATE INDEX regions_parent ON regions (parent_code, code);

-- The version of the data set the regions were last loaded from, so that
-- starting again with the same data loads nothing.
CREATE TABLE region_data (
    only_row  boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    version   text NOT NULL,
    loaded_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
ALTER TABLE stations DROP CONSTRAINT stations_check;
ALTER TABLE stations ADD CONSTRAINT stations_check CHECK ((level = 'city_centre') = (parent_id IS NULL));
DROP TABLE region_data;
DROP INDEX regions_parent;
ALTER TABLE regions DROP COLUMN official;
