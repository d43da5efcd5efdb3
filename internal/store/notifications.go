package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// Notification is an outbox row.
type Notification struct {
	ID        int64           `json:"id"`
	Key       string          `json:"idempotency_key"`
	Event     string          `json:"event"`
	TaskID    *uuid.UUID      `json:"task_id"`
	Recipient string          `json:"recipient"`
	Payload   json.RawMessage `json:"payload"`
	Attempts  int             `json:"attempts"`
}

const notificationColumns = `id, idempotency_key, event, task_id, recipient, payload::text, attempts`

func scanNotification(r pgx.CollectableRow) (Notification, error) {
	var n Notification
	var payload string
	err := r.Scan(&n.ID, &n.Key, &n.Event, &n.TaskID, &n.Recipient, &payload, &n.Attempts)
	n.Payload = json.RawMessage(payload)
	return n, err
}

// EnqueueNotification writes a notification once per idempotency key.
func (s *Store) EnqueueNotification(ctx context.Context, n Notification) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO outbox (idempotency_key, event, task_id, recipient, payload)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (idempotency_key) DO NOTHING`, n.Key, n.Event, n.TaskID, n.Recipient, string(n.Payload))
	return err
}

// DeliverNotifications hands due notifications, up to limit, to send, one
// at a time inside a transaction that locks them (SKIP LOCKED, so several
// deliverers share the work). A nil error from send marks one delivered;
// an error schedules the next attempt after backoff(attempts).
func (s *Store) DeliverNotifications(ctx context.Context, limit int, send func(Notification) error, backoff func(attempts int) time.Duration) (delivered, failed int, err error) {
	err = s.InTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+notificationColumns+` FROM outbox
			WHERE delivered_at IS NULL AND next_attempt_at <= now() ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`, limit)
		if err != nil {
			return err
		}
		batch, err := pgx.CollectRows(rows, scanNotification)
		if err != nil {
			return err
		}
		for _, n := range batch {
			if sendErr := send(n); sendErr != nil {
				failed++
				msg := sendErr.Error()
				if len(msg) > 500 {
					msg = msg[:500]
				}
				if _, err := tx.Exec(ctx, `UPDATE outbox SET attempts = attempts + 1, last_error = $2, next_attempt_at = now() + $3::interval
					WHERE id = $1`, n.ID, msg, fmt.Sprintf("%d milliseconds", backoff(n.Attempts+1).Milliseconds())); err != nil {
					return err
				}
				continue
			}
			delivered++
			if _, err := tx.Exec(ctx, `UPDATE outbox SET attempts = attempts + 1, delivered_at = now(), last_error = '' WHERE id = $1`, n.ID); err != nil {
				return err
			}
		}
		return nil
	})
	return delivered, failed, err
}

// NotificationsFor lists the outbox rows of a task, oldest first.
func (s *Store) NotificationsFor(ctx context.Context, taskID uuid.UUID) ([]Notification, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+notificationColumns+` FROM outbox
		WHERE task_id = $1 ORDER BY id`, taskID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, scanNotification)
}
