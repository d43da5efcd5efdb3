-- name: InsertContractFromApplication :execrows
INSERT INTO contracts (id, station_id, organisation_id, term_start, term_end, funding_yuan, targets)
SELECT @contract_id::uuid, a.station_id, a.organisation_id, @term_start::date, @term_end::date, a.budget_yuan, a.targets
FROM applications a WHERE a.id = @application_id::uuid
ON CONFLICT (id) DO NOTHING;

-- name: ContractExists :one
SELECT EXISTS (SELECT 1 FROM contracts WHERE id = $1);

-- name: ContractsOf :many
SELECT * FROM contracts WHERE station_id = $1 ORDER BY term_start DESC;

-- name: GetContract :one
SELECT * FROM contracts WHERE id = $1;

-- name: InsertRenewedContract :execrows
INSERT INTO contracts (id, station_id, organisation_id, term_start, term_end, funding_yuan, targets, previous_id)
SELECT @new_id::uuid, c.station_id, c.organisation_id, @term_start::date, @term_end::date, c.funding_yuan, c.targets, c.id
FROM contracts c WHERE c.id = @old_id::uuid
ON CONFLICT (id) DO NOTHING;

-- name: EndContract :exec
UPDATE contracts SET state = 'ended' WHERE id = $1 AND state = 'active';

-- name: TerminateContract :execrows
UPDATE contracts SET state = 'terminated' WHERE id = $1 AND state = 'active';

-- name: QuarterContract :one
-- The contract covering a quarter: the station's contract whose term meets it, the latest starting first.
SELECT id, term_start, term_end, targets::text AS targets FROM contracts
WHERE station_id = @station_id AND term_start <= @last_day::date AND term_end >= @first_day::date
ORDER BY term_start DESC, id LIMIT 1;

-- name: YearContracts :many
SELECT term_start, term_end, funding_yuan FROM contracts
WHERE station_id = @station_id AND term_start <= make_date(@year::int, 12, 31) AND term_end >= make_date(@year::int, 1, 1);

-- name: ContractViews :many
-- Contracts as people read them: funding in whole fen (numeric(14, 2)
-- times 100 is exact), an active contract whose term is past read as
-- ended, the contract it renews and the application that started it.
-- By station (newest first), optionally one organisation's only; or one
-- contract by its ID.
SELECT c.id, c.station_id, c.organisation_id, c.term_start, c.term_end, (c.funding_yuan * 100)::bigint AS funding_fen,
    c.targets::text AS targets,
    (CASE WHEN c.state = 'active' AND c.term_end < @today::date THEN 'ended' ELSE c.state END)::text AS state,
    c.previous_id, a.id AS application_id, c.created_at
FROM contracts c
LEFT JOIN applications a ON a.contract_id = c.id -- an approval starts one contract: at most one row
WHERE (sqlc.narg(station_id)::uuid IS NULL OR c.station_id = sqlc.narg(station_id)::uuid)
    AND (sqlc.narg(contract_id)::uuid IS NULL OR c.id = sqlc.narg(contract_id)::uuid)
    AND (sqlc.narg(organisation_id)::uuid IS NULL OR c.organisation_id = sqlc.narg(organisation_id)::uuid)
ORDER BY c.term_start DESC, c.created_at DESC, c.id DESC;
