-- name: InsertSupervisionSession :one
INSERT INTO supervision_sessions (id, station_id, organisation_id, date, minutes, supervisor_id, staff_ids, topic)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING created_at;

-- name: InternalSupervisionTotals :one
-- A station's sessions dated from..to: how many, their minutes, and the distinct staff supervised.
SELECT count(*) AS sessions, coalesce(sum(minutes), 0)::bigint AS minutes,
    (SELECT count(DISTINCT staff) FROM supervision_sessions s2, unnest(s2.staff_ids) AS staff
     WHERE s2.station_id = @station_id AND s2.date BETWEEN @from_day::date AND @to_day::date) AS staff_supervised
FROM supervision_sessions WHERE station_id = @station_id AND date BETWEEN @from_day::date AND @to_day::date;
