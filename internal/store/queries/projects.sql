-- name: InsertProject :one
INSERT INTO projects (id, station_id, organisation_id, name, service_lines, funder_kind, funder_name, amount_fen,
    start_date, end_date, beneficiaries)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING created_at;

-- name: StationProjectIDs :many
-- Every project of a station, for checking the project a service record names.
SELECT id FROM projects WHERE station_id = $1;

-- name: ProjectResources :many
-- A station's projects whose period meets from..to, summed by funder kind. Amounts are not prorated.
SELECT funder_kind, count(*) AS projects, sum(amount_fen)::bigint AS amount_fen
FROM projects WHERE station_id = @station_id AND start_date <= @to_day::date AND end_date >= @from_day::date
GROUP BY funder_kind;
