-- name: InsertScorecard :execrows
INSERT INTO scorecards (id, station_id, organisation_id, region_code, kind, period, task_id, rubric_version,
    total, passed, late, document, content_hash, filed_by)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) ON CONFLICT (id) DO NOTHING;

-- name: GetScorecard :one
SELECT id, station_id, organisation_id, region_code, kind, period, task_id, rubric_version, total, passed, late,
    document::text AS document, content_hash, filed_by, issued_at
FROM scorecards WHERE id = $1;

-- name: YearScorecards :many
SELECT id, station_id, organisation_id, region_code, kind, period, task_id, rubric_version, total, passed, late,
    document::text AS document, content_hash, filed_by, issued_at
FROM scorecards WHERE station_id = @station_id AND kind = 'quarterly_supervision' AND period LIKE @year::text || 'Q%' ORDER BY period;
