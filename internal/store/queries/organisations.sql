-- name: InsertOrganisation :one
INSERT INTO organisations (id, name, credit_code) VALUES ($1, $2, $3) RETURNING created_at;

-- name: GetOrganisation :one
SELECT * FROM organisations WHERE id = $1;

-- name: OrganisationExists :one
SELECT EXISTS (SELECT 1 FROM organisations WHERE id = $1);

-- name: OrganisationStations :many
-- The stations an organisation operates or has applied for.
SELECT * FROM stations WHERE operator_id = @org_id::uuid
    OR id IN (SELECT station_id FROM applications WHERE organisation_id = @org_id) ORDER BY id;
