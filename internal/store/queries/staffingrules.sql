-- name: StaffingRulesOnChain :many
-- The stored rules for the prefixes given (a region's chain).
SELECT * FROM staffing_rules WHERE region_prefix = ANY(@prefixes::text[]);

-- name: UpsertStaffingRule :exec
INSERT INTO staffing_rules (region_prefix, level, min_full_time, min_with_part_time)
VALUES ($1, $2, $3, $4)
ON CONFLICT (region_prefix, level) DO UPDATE
SET min_full_time = EXCLUDED.min_full_time, min_with_part_time = EXCLUDED.min_with_part_time, updated_at = now();
