-- name: RecordProjectionFailure :exec
-- One row per failure; the ID is derived from the workflow's step, so a
-- retried recording writes it once.
INSERT INTO projection_failures (id, workflow_id, run_id, activity, error_class, station_id, region_code)
VALUES (@id, @workflow_id, @run_id, @activity, @error_class, @station_id, @region_code)
ON CONFLICT (id) DO NOTHING;

-- name: OpenProjectionFailures :many
-- The failures no retry has been asked for, in a region and below it.
SELECT * FROM projection_failures
WHERE retried_at IS NULL AND region_code LIKE @region_prefix::text || '%'
ORDER BY failed_at, id LIMIT @max_rows::int;

-- name: GetProjectionFailure :one
SELECT * FROM projection_failures WHERE id = $1;

-- name: MarkProjectionRetried :execrows
UPDATE projection_failures SET retried_at = now(), retried_by = @retried_by
WHERE id = @id AND retried_at IS NULL;

-- name: CountOpenProjectionFailures :many
-- The open failures by activity and error class, for the alert.
SELECT activity, error_class, count(*)::int AS failures FROM projection_failures
WHERE retried_at IS NULL GROUP BY activity, error_class ORDER BY activity, error_class;
