-- name: InsertStationFile :one
-- The same bytes filed again for the station and quarter insert nothing.
INSERT INTO files (id, sha256, size_bytes, content_type, filename, content, owner_org, station_id, kind, period, evidence_date)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
ON CONFLICT (station_id, period, sha256) WHERE period IS NOT NULL DO NOTHING
RETURNING id, encode(sha256, 'hex')::text AS sha256, size_bytes, content_type, filename, kind, coalesce(period, '')::text AS period,
    coalesce(to_char(evidence_date, 'YYYY-MM-DD'), '')::text AS evidence_date, created_at;

-- name: StationFileByHash :one
SELECT id, encode(sha256, 'hex')::text AS sha256, size_bytes, content_type, filename, kind, coalesce(period, '')::text AS period,
    coalesce(to_char(evidence_date, 'YYYY-MM-DD'), '')::text AS evidence_date, created_at
FROM files WHERE station_id = @station_id AND period = @period AND sha256 = @sha256;

-- name: QuarterFiles :many
SELECT id, encode(sha256, 'hex')::text AS sha256, size_bytes, content_type, filename, kind, coalesce(period, '')::text AS period,
    coalesce(to_char(evidence_date, 'YYYY-MM-DD'), '')::text AS evidence_date, created_at
FROM files WHERE station_id = @station_id AND period = @period ORDER BY evidence_date, created_at, id;

-- name: QuarterFileUses :many
-- The other places the bytes of a quarter's files were filed: another
-- quarter (at any station) or another station. An application document
-- at the same station does not count.
SELECT f.id AS file_id, o.station_id AS other_station_id, coalesce(o.period, '')::text AS other_period, o.id AS other_file_id
FROM files f JOIN files o ON o.sha256 = f.sha256 AND o.id <> f.id
WHERE f.station_id = @station_id AND f.period = @period
    AND (o.station_id IS DISTINCT FROM f.station_id OR (o.period IS NOT NULL AND o.period <> f.period))
ORDER BY f.id, o.period, o.station_id, o.id;

-- name: OwnEvidence :many
-- Which of the ids are a service record or file of the station, dated inside the quarter when one is given.
SELECT r.id FROM service_records r
WHERE r.station_id = @station_id AND r.id = ANY(@ids::uuid[])
    AND (sqlc.narg(from_day)::date IS NULL OR r.date BETWEEN sqlc.narg(from_day)::date AND sqlc.narg(to_day)::date)
UNION ALL
SELECT f.id FROM files f
WHERE f.station_id = @station_id AND f.id = ANY(@ids::uuid[]) AND (sqlc.narg(period)::text IS NULL OR f.period = sqlc.narg(period)::text);

-- name: GetFile :one
-- A stored file with its bytes and what it belongs to.
SELECT id, encode(sha256, 'hex')::text AS sha256, size_bytes, content_type, filename, content, owner_org, station_id
FROM files WHERE id = $1;

-- name: HoldsStationTask :one
-- Whether a person holds (or held) a task on the station.
SELECT EXISTS (SELECT 1 FROM tasks WHERE station_id = @station_id AND assignee_kind = 'person' AND assignee_id = @person_id::text);
