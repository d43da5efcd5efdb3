-- name: EnsureRegion :batchexec
INSERT INTO regions (code, level, parent_code) VALUES ($1, $2, $3) ON CONFLICT (code) DO NOTHING;
