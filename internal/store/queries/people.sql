-- name: InsertPerson :one
INSERT INTO people (id, name, role, region_code, organisation_id, qualification)
VALUES ($1, $2, $3, $4, $5, $6) RETURNING created_at;

-- name: GetPerson :one
SELECT * FROM people WHERE id = $1;
