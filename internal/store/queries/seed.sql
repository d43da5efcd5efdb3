-- name: SeedCollision :one
-- A station in one of the regions that is not one of the seed's own.
SELECT region_code, level FROM stations
WHERE region_code = ANY(@regions::text[]) AND NOT (id = ANY(@ids::uuid[])) LIMIT 1;

-- name: SeedRegions :many
-- Parents first: a shorter code is a region above.
INSERT INTO regions (code, level, parent_code, name)
SELECT r.code, r.level, NULLIF(r.parent, ''), r.name
FROM (SELECT unnest(@codes::text[]) AS code, unnest(@levels::text[]) AS level, unnest(@parents::text[]) AS parent, unnest(@names::text[]) AS name) AS r
ORDER BY length(r.code) ON CONFLICT (code) DO NOTHING RETURNING code;

-- name: SeedOrganisations :many
INSERT INTO organisations (id, name, credit_code)
SELECT o.id, o.name, o.credit_code FROM (SELECT unnest(@ids::uuid[]) AS id, unnest(@names::text[]) AS name, unnest(@credit_codes::text[]) AS credit_code) AS o
ON CONFLICT DO NOTHING RETURNING id;

-- name: SeedPeople :many
-- A nil organisation ID stands for none.
INSERT INTO people (id, name, role, region_code, organisation_id, qualification)
SELECT p.id, p.name, p.role, p.region_code, NULLIF(p.org, '00000000-0000-0000-0000-000000000000'::uuid), p.qualification
FROM (SELECT unnest(@ids::uuid[]) AS id, unnest(@names::text[]) AS name, unnest(@roles::text[]) AS role, unnest(@region_codes::text[]) AS region_code, unnest(@organisation_ids::uuid[]) AS org, unnest(@qualifications::text[]) AS qualification) AS p
ON CONFLICT DO NOTHING RETURNING id;

-- name: SeedStations :many
-- New stations awaiting an operator, parents first (the level order); a
-- nil parent ID stands for none.
INSERT INTO stations (id, name, level, region_code, parent_id, phase_version)
SELECT s.id, s.name, s.level, s.region_code, NULLIF(s.parent, '00000000-0000-0000-0000-000000000000'::uuid), @phase_version::bigint
FROM (SELECT unnest(@ids::uuid[]) AS id, unnest(@names::text[]) AS name, unnest(@levels::text[]) AS level, unnest(@region_codes::text[]) AS region_code, unnest(@parent_ids::uuid[]) AS parent) AS s
ORDER BY array_position(ARRAY['city_centre', 'county_station', 'township_station', 'community_room'], s.level)
ON CONFLICT DO NOTHING RETURNING id;

-- name: SeedAssignments :many
INSERT INTO supervisor_assignments (person_id, station_id)
SELECT a.person_id, a.station_id FROM (SELECT unnest(@person_ids::uuid[]) AS person_id, unnest(@station_ids::uuid[]) AS station_id) AS a
ON CONFLICT DO NOTHING RETURNING station_id;

-- name: BulkOrganisations :copyfrom
INSERT INTO organisations (id, name, credit_code) VALUES ($1, $2, $3);

-- name: BulkPeople :copyfrom
INSERT INTO people (id, name, role, region_code) VALUES ($1, $2, $3, $4);

-- name: BulkStations :copyfrom
INSERT INTO stations (id, name, level, region_code, parent_id, phase, phase_version, workflow_started) VALUES ($1, $2, $3, $4, $5, $6, $7, $8);

-- name: BulkContracts :copyfrom
INSERT INTO contracts (id, station_id, organisation_id, term_start, term_end, funding_yuan, targets, state) VALUES ($1, $2, $3, $4, $5, $6, $7, $8);

-- name: OperatorsFromContracts :exec
-- Each station's operator is the organisation of its contract.
UPDATE stations s SET operator_id = c.organisation_id FROM contracts c WHERE c.station_id = s.id;
