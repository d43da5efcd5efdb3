package worker

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/stationflow/stationflow/internal/store"
)

// Deliverer sends outbox notifications to a webhook, each with its
// idempotency key, retrying with backoff. A failing receiver only delays
// its own notifications; workflows never wait for delivery.
type Deliverer struct {
	Store      *store.Store
	WebhookURL string
	Client     *http.Client
	Logger     *slog.Logger
	// Interval between polls; zero means two seconds.
	Interval time.Duration
}

// Run delivers until ctx ends.
func (d *Deliverer) Run(ctx context.Context) {
	interval := d.Interval
	if interval == 0 {
		interval = 2 * time.Second
	}
	for {
		for {
			delivered, failed, err := d.Store.DeliverNotifications(ctx, 50, func(n store.Notification) error { return d.send(ctx, n) }, Backoff)
			if err != nil && ctx.Err() == nil {
				d.Logger.Warn("delivering notifications", "error", err)
			}
			if err != nil || delivered+failed < 50 {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(interval):
		}
	}
}

func (d *Deliverer) send(ctx context.Context, n store.Notification) error {
	client := d.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.WebhookURL, bytes.NewReader(n.Payload))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", n.Key)
	req.Header.Set("X-Stationflow-Event", n.Event)
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	res.Body.Close()
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("webhook answered %s", res.Status)
	}
	return nil
}

// Backoff is the wait before attempt n+1: 5 s doubling to at most an hour.
func Backoff(attempts int) time.Duration {
	d := 5 * time.Second
	for i := 1; i < attempts && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}
