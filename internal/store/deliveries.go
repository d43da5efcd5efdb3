package store

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/stationflow/stationflow/internal/store/db"
)

// Delivery is one notification to send on one channel, with what sending
// it needs: the e-mail address, or the region's robot.
type Delivery struct {
	ID             int64
	Key            string
	Channel        string
	Target         string
	Attempts       int
	Title, Body    string
	WeComURL       string
	DingTalkURL    string
	DingTalkSecret string
}

// DeliveryPolicy says how a failed delivery is treated.
type DeliveryPolicy struct {
	Backoff     func(attempts int) time.Duration
	Permanent   func(error) bool
	MaxAttempts int
}

// DeliverChannels hands due deliveries, up to limit, to send, inside a
// transaction that locks them (SKIP LOCKED). Success marks one delivered;
// a permanent error, or the last allowed attempt, marks it failed for
// good; any other error schedules the next attempt after the backoff.
func (s *Store) DeliverChannels(ctx context.Context, limit int, send func(Delivery) error, pol DeliveryPolicy) (delivered, failed int, err error) {
	err = s.inTx(ctx, func(_ pgx.Tx, q *db.Queries) error {
		rows, err := q.DueDeliveries(ctx, limit)
		if err != nil {
			return err
		}
		for _, r := range rows {
			d := Delivery{ID: r.ID, Key: r.DeliveryKey, Channel: r.Channel, Target: r.Target, Attempts: r.Attempts, Title: r.Title,
				Body: r.Body, WeComURL: r.WecomUrl, DingTalkURL: r.DingtalkUrl, DingTalkSecret: r.DingtalkSecret}
			sendErr := send(d)
			if sendErr == nil {
				delivered++
				if err := q.DeliveryDone(ctx, r.ID); err != nil {
					return err
				}
				continue
			}
			failed++
			msg := sendErr.Error()
			if len(msg) > 500 {
				msg = msg[:500]
			}
			if pol.Permanent(sendErr) || r.Attempts+1 >= pol.MaxAttempts {
				err = q.DeliveryFailed(ctx, db.DeliveryFailedParams{ID: r.ID, LastError: msg})
			} else {
				err = q.DeliveryRetry(ctx, db.DeliveryRetryParams{ID: r.ID, LastError: msg,
					RetryAfter: interval(pol.Backoff(r.Attempts + 1).Truncate(time.Millisecond))})
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	return delivered, failed, err
}

// DeliveryState is a delivery as an operator sees it.
type DeliveryState struct {
	Channel     string     `json:"channel"`
	Attempts    int        `json:"attempts"`
	DeliveredAt *time.Time `json:"delivered_at"`
	FailedAt    *time.Time `json:"failed_at"`
	LastError   string     `json:"last_error"`
}

// DeliveriesOf lists a notification's deliveries.
func (s *Store) DeliveriesOf(ctx context.Context, notification uuid.UUID) ([]DeliveryState, error) {
	rows, err := s.q.DeliveriesOf(ctx, notification)
	return mapRows(rows, func(r db.NotificationDelivery) DeliveryState {
		return DeliveryState{Channel: r.Channel, Attempts: r.Attempts, DeliveredAt: r.DeliveredAt, FailedAt: r.FailedAt, LastError: r.LastError}
	}), err
}

// DeliveryCount is how many deliveries of a channel are in a state:
// pending, retrying, delivered or failed.
type DeliveryCount struct {
	Channel, State string
	Deliveries     int
}

// CountDeliveries counts the deliveries by channel and state.
func (s *Store) CountDeliveries(ctx context.Context) ([]DeliveryCount, error) {
	rows, err := s.q.CountDeliveries(ctx)
	return mapRows(rows, func(r db.CountDeliveriesRow) DeliveryCount {
		return DeliveryCount{Channel: r.Channel, State: r.State, Deliveries: r.Deliveries}
	}), err
}
