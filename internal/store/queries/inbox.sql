-- name: UnfannedNotifications :many
-- Locks outbox rows not yet fanned out; SKIP LOCKED lets several workers share them.
SELECT o.*, coalesce(t.region_code, '')::text AS task_region FROM outbox o LEFT JOIN tasks t ON t.id = o.task_id
WHERE o.fanned_out_at IS NULL ORDER BY o.id LIMIT @max_rows::int FOR UPDATE OF o SKIP LOCKED;

-- name: MarkFannedOut :exec
UPDATE outbox SET fanned_out_at = now() WHERE id = $1;

-- name: RecipientAccounts :many
-- The active accounts a recipient stands for: an office's exact region
-- grant, an organisation's grant, or the person (linked record or
-- supervisor grant).
SELECT DISTINCT a.id, a.email, coalesce(p.email, false) AS want_email, coalesce(p.wecom, false) AS want_wecom,
    coalesce(p.dingtalk, false) AS want_dingtalk
FROM accounts a
LEFT JOIN account_grants g ON g.account_id = a.id
LEFT JOIN notification_preferences p ON p.account_id = a.id
WHERE a.state = 'active' AND (
    (@kind::text = 'office' AND g.role = 'office' AND g.scope = @scope::text)
    OR (@kind::text = 'org' AND g.role = 'org' AND g.scope = @scope::text)
    OR (@kind::text = 'person' AND ((g.role = 'supervisor' AND g.scope = @scope::text) OR a.person_id::text = @scope::text)))
ORDER BY a.id;

-- name: InsertInboxNotification :one
-- Once per account and event: a second fan-out of the same event returns the first row.
INSERT INTO inbox_notifications (id, account_id, event_key, event, task_id, region_code, title, body)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (account_id, event_key) DO UPDATE SET event_key = EXCLUDED.event_key
RETURNING id;

-- name: ChannelFor :one
-- The group robots of the nearest region at or above region_code.
SELECT * FROM notification_channels WHERE @region_code::text LIKE region_code || '%'
ORDER BY length(region_code) DESC LIMIT 1;

-- name: InsertDelivery :exec
INSERT INTO notification_deliveries (delivery_key, notification_id, channel, target)
VALUES ($1, $2, $3, $4) ON CONFLICT (delivery_key) DO NOTHING;

-- name: InboxNotification :one
SELECT * FROM inbox_notifications WHERE id = $1 AND account_id = $2;

-- name: MarkInboxRead :exec
UPDATE inbox_notifications SET read_at = coalesce(read_at, now()) WHERE id = $1 AND account_id = $2;

-- name: DueDeliveries :many
-- Locks the due deliveries with what sending them needs.
SELECT d.id, d.delivery_key, d.channel, d.target, d.attempts, n.title, n.body,
    coalesce(c.wecom_url, '')::text AS wecom_url, coalesce(c.dingtalk_url, '')::text AS dingtalk_url,
    coalesce(c.dingtalk_secret, '')::text AS dingtalk_secret
FROM notification_deliveries d
JOIN inbox_notifications n ON n.id = d.notification_id
LEFT JOIN notification_channels c ON c.region_code = d.target AND d.channel <> 'email'
WHERE d.delivered_at IS NULL AND d.failed_at IS NULL AND d.next_attempt_at <= now()
ORDER BY d.id LIMIT @max_rows::int FOR UPDATE OF d SKIP LOCKED;

-- name: DeliveryDone :exec
UPDATE notification_deliveries SET attempts = attempts + 1, delivered_at = now(), last_error = '' WHERE id = $1;

-- name: DeliveryRetry :exec
UPDATE notification_deliveries SET attempts = attempts + 1, last_error = @last_error,
    next_attempt_at = now() + @retry_after::interval WHERE id = @id;

-- name: DeliveryFailed :exec
UPDATE notification_deliveries SET attempts = attempts + 1, last_error = @last_error, failed_at = now() WHERE id = @id;

-- name: CountDeliveries :many
SELECT channel, (CASE WHEN delivered_at IS NOT NULL THEN 'delivered' WHEN failed_at IS NOT NULL THEN 'failed'
    WHEN attempts > 0 THEN 'retrying' ELSE 'pending' END)::text AS state, count(*)::int AS deliveries
FROM notification_deliveries GROUP BY 1, 2 ORDER BY 1, 2;

-- name: DeliveriesOf :many
SELECT * FROM notification_deliveries WHERE notification_id = $1 ORDER BY id;

-- name: GetNotificationPreferences :one
SELECT * FROM notification_preferences WHERE account_id = $1;

-- name: PutNotificationPreferences :one
INSERT INTO notification_preferences (account_id, email, wecom, dingtalk) VALUES ($1, $2, $3, $4)
ON CONFLICT (account_id) DO UPDATE SET email = EXCLUDED.email, wecom = EXCLUDED.wecom, dingtalk = EXCLUDED.dingtalk, updated_at = now()
RETURNING *;

-- name: PutNotificationChannel :one
INSERT INTO notification_channels (region_code, wecom_url, dingtalk_url, dingtalk_secret, updated_by) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (region_code) DO UPDATE SET wecom_url = EXCLUDED.wecom_url, dingtalk_url = EXCLUDED.dingtalk_url,
    dingtalk_secret = EXCLUDED.dingtalk_secret, updated_by = EXCLUDED.updated_by, updated_at = now()
RETURNING *;
