-- name: EnsureRegion :batchexec
INSERT INTO regions (code, level, parent_code) VALUES ($1, $2, $3) ON CONFLICT (code) DO NOTHING;

-- name: LoadRegions :execrows
-- Parents first: a shorter code is a region above. A region already known
-- takes the data set's name and becomes official; one unchanged is left
-- alone, so loading the same data again changes no row.
INSERT INTO regions (code, level, parent_code, name, official)
SELECT r.code, r.level, NULLIF(r.parent, ''), r.name, true
FROM (SELECT unnest(@codes::text[]) AS code, unnest(@levels::text[]) AS level, unnest(@parents::text[]) AS parent, unnest(@names::text[]) AS name) AS r
ORDER BY length(r.code), r.code
ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, official = true
WHERE regions.name <> EXCLUDED.name OR NOT regions.official;

-- name: RegionDataVersion :many
SELECT version FROM region_data;

-- name: SetRegionDataVersion :exec
INSERT INTO region_data (version) VALUES (@version)
ON CONFLICT (only_row) DO UPDATE SET version = EXCLUDED.version, loaded_at = now();

-- name: GetRegion :one
SELECT code, level, parent_code, name, official FROM regions WHERE code = $1;

-- name: RegionChildren :many
SELECT code, level, parent_code, name, official FROM regions WHERE parent_code = $1 ORDER BY code;

-- name: Provinces :many
SELECT code, level, parent_code, name, official FROM regions WHERE parent_code IS NULL ORDER BY code;
