-- name: CycleReport :many
-- A cycle's stations by county and station, with what the report shows of
-- each. The store streams its rows (db.CycleReportSQL).
SELECT sqlc.embed(cs), st.level, st.name, left(cs.region_code, 6)::text AS county_code, coalesce(r.name, '')::text AS county_name,
    coalesce(o.name, '')::text AS organisation,
    coalesce((SELECT array_agg(e.total::float8 ORDER BY e.slot) FROM cycle_evaluations e
        WHERE e.cycle_id = cs.cycle_id AND e.station_id = cs.station_id AND e.total IS NOT NULL), '{}')::float8[] AS evaluations
FROM cycle_stations cs JOIN stations st ON st.id = cs.station_id
LEFT JOIN regions r ON r.code = left(cs.region_code, 6)
LEFT JOIN organisations o ON o.id = cs.organisation_id
WHERE cs.cycle_id = $1 ORDER BY cs.region_code, st.level, cs.station_id;

-- name: GradeDistribution :many
SELECT left(cs.region_code, 6)::text AS county, coalesce(r.name, '')::text AS county_name, coalesce(cs.grade, '')::text AS grade,
    count(*)::int AS count
FROM cycle_stations cs LEFT JOIN regions r ON r.code = left(cs.region_code, 6)
WHERE cs.cycle_id = $1 GROUP BY 1, 2, 3 ORDER BY 1, 3;
