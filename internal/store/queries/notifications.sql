-- name: EnqueueNotification :exec
INSERT INTO outbox (idempotency_key, event, task_id, recipient, payload)
VALUES ($1, $2, $3, $4, $5) ON CONFLICT (idempotency_key) DO NOTHING;

-- name: DueNotifications :many
-- Locks the due notifications; SKIP LOCKED lets several deliverers share the work.
SELECT * FROM outbox
WHERE delivered_at IS NULL AND next_attempt_at <= now() ORDER BY id LIMIT @max_rows::int FOR UPDATE SKIP LOCKED;

-- name: NotificationFailed :exec
UPDATE outbox SET attempts = attempts + 1, last_error = @last_error, next_attempt_at = now() + @retry_after::interval
WHERE id = @id;

-- name: NotificationDelivered :exec
UPDATE outbox SET attempts = attempts + 1, delivered_at = now(), last_error = '' WHERE id = $1;

-- name: NotificationsFor :many
SELECT * FROM outbox WHERE task_id = $1 ORDER BY id;
