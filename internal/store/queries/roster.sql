-- name: InsertRosterEntry :one
INSERT INTO roster_entries (id, station_id, organisation_id, person_id, name, post, qualification, certificate_no, joined_on)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING created_at;

-- name: GetRosterEntry :one
SELECT * FROM roster_entries WHERE id = $1 AND station_id = $2;

-- name: SetRosterLeft :execrows
UPDATE roster_entries SET left_on = @left_on WHERE id = @id AND left_on IS NULL;

-- name: StationRoster :many
-- The station's entries in the order people joined.
SELECT * FROM roster_entries WHERE station_id = $1 ORDER BY joined_on, id;

-- name: RosterOverlapping :many
-- The station's entries whose time at the station meets from..to.
SELECT * FROM roster_entries
WHERE station_id = @station_id AND joined_on <= @to_day::date AND (left_on IS NULL OR left_on >= @from_day::date)
ORDER BY joined_on, id;

-- name: OnOperatorRoster :one
-- Whether the person is on the roster of the organisation, at any of its
-- stations, on the day: employed by it.
SELECT EXISTS (SELECT 1 FROM roster_entries
    WHERE person_id = @person_id AND organisation_id = @organisation_id
      AND joined_on <= @on_day::date AND (left_on IS NULL OR left_on >= @on_day::date));
