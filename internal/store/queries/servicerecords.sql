-- name: InsertImport :execrows
-- The station's import of the same bytes, if any, wins: the new one is a replay.
INSERT INTO service_record_imports (id, station_id, organisation_id, source, sha256, rows)
VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (station_id, sha256) DO NOTHING;

-- name: EarlierImport :one
SELECT id, rows FROM service_record_imports WHERE station_id = $1 AND sha256 = $2;

-- name: CountServiceRecords :one
SELECT count(*) FROM service_records WHERE station_id = $1;

-- name: LineTotals :many
-- A station's records dated from..to per service line, in one aggregate over the (station_id, date) index.
SELECT service_line, count(*) AS records, sum(beneficiaries_elderly)::bigint AS elderly, sum(beneficiaries_children)::bigint AS children,
    sum(beneficiaries_disabled)::bigint AS disabled, sum(beneficiaries_hardship)::bigint AS hardship,
    coalesce(sum(volunteers), 0)::bigint AS volunteers, coalesce(sum(volunteer_hours), 0)::float8 AS volunteer_hours,
    coalesce(sum(resources_yuan), 0)::float8 AS resources_yuan, coalesce(sum(cases), 0)::bigint AS cases
FROM service_records WHERE station_id = @station_id AND date BETWEEN @from_day::date AND @to_day::date GROUP BY service_line;
