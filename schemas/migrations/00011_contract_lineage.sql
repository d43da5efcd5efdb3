-- The contract a renewal continues: each renewed term names the contract
-- it follows, so a contract's lineage reads from the record itself. Terms
-- renewed before this column existed take it from their audit row.

-- +goose Up
ALTER TABLE contracts ADD COLUMN previous_id uuid REFERENCES contracts (id);
CREATE INDEX contracts_previous ON contracts (previous_id) WHERE previous_id IS NOT NULL;
UPDATE contracts c SET previous_id = (a.detail ->> 'previous')::uuid
FROM audit_log a
WHERE a.action = 'contract.renewed' AND a.object_type = 'contract' AND a.object_id = c.id::text
    AND EXISTS (SELECT 1 FROM contracts p WHERE p.id = (a.detail ->> 'previous')::uuid);

-- +goose Down
DROP INDEX contracts_previous;
ALTER TABLE contracts DROP COLUMN previous_id;
