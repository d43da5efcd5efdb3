-- What a decision task is about, frozen when the task opens: the outcome a
-- renewal decision or an appeal review decides on, and the indicators an
-- arbitration may confirm as failed. The person holding the task reads it
-- on the task itself.

-- +goose Up
ALTER TABLE tasks ADD COLUMN outcome text NOT NULL DEFAULT '' CHECK (outcome ~ '^[a-z_]{0,64}$');
ALTER TABLE tasks ADD COLUMN choices text[] NOT NULL DEFAULT '{}' CHECK (cardinality(choices) <= 200);

-- +goose Down
ALTER TABLE tasks DROP COLUMN choices;
ALTER TABLE tasks DROP COLUMN outcome;
