package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/stationflow/stationflow/internal/store/db"
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

func notificationFromDB(r db.Outbox) Notification {
	return Notification{ID: r.ID, Key: r.IdempotencyKey, Event: r.Event, TaskID: r.TaskID, Recipient: r.Recipient, Payload: r.Payload,
		Attempts: r.Attempts}
}

// EnqueueNotification writes a notification once per idempotency key.
func (s *Store) EnqueueNotification(ctx context.Context, n Notification) error {
	return s.q.EnqueueNotification(ctx, db.EnqueueNotificationParams{IdempotencyKey: n.Key, Event: n.Event, TaskID: n.TaskID,
		Recipient: n.Recipient, Payload: n.Payload})
}

// DeliverNotifications hands due notifications, up to limit, to send, one
// at a time inside a transaction that locks them (SKIP LOCKED, so several
// deliverers share the work). A nil error from send marks one delivered;
// an error schedules the next attempt after backoff(attempts).
func (s *Store) DeliverNotifications(ctx context.Context, limit int, send func(Notification) error, backoff func(attempts int) time.Duration) (delivered, failed int, err error) {
	err = s.inTx(ctx, func(tx pgx.Tx, q *db.Queries) error {
		rows, err := q.DueNotifications(ctx, limit)
		if err != nil {
			return err
		}
		for _, n := range mapRows(rows, notificationFromDB) {
			if sendErr := send(n); sendErr != nil {
				failed++
				msg := sendErr.Error()
				if len(msg) > 500 {
					msg = msg[:500]
				}
				if err := q.NotificationFailed(ctx, db.NotificationFailedParams{ID: n.ID, LastError: msg,
					RetryAfter: interval(backoff(n.Attempts + 1).Truncate(time.Millisecond))}); err != nil {
					return err
				}
				continue
			}
			delivered++
			if err := q.NotificationDelivered(ctx, n.ID); err != nil {
				return err
			}
		}
		return nil
	})
	return delivered, failed, err
}

// NotificationsFor lists the outbox rows of a task, oldest first.
func (s *Store) NotificationsFor(ctx context.Context, taskID uuid.UUID) ([]Notification, error) {
	rows, err := s.q.NotificationsFor(ctx, &taskID)
	return mapRows(rows, notificationFromDB), err
}
