package notify

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/stationflow/stationflow/internal/store"
)

// Dispatcher fans outbox events out to accounts and delivers their
// notifications on the chosen channels. Several may run against one
// database: each locks the rows it works on.
type Dispatcher struct {
	Store  *store.Store
	Mail   *SMTP // nil: e-mail deliveries fail as permanent
	Robots *Robots
	Logger *slog.Logger
	// Interval between polls; zero means two seconds.
	Interval time.Duration
	// MaxAttempts bounds the tries of one delivery; zero means 8.
	MaxAttempts int
	// Backoff is the wait before the next try; nil means Backoff.
	Backoff func(attempts int) time.Duration
}

// Run fans out and delivers until ctx ends.
func (d *Dispatcher) Run(ctx context.Context) {
	interval := d.Interval
	if interval == 0 {
		interval = 2 * time.Second
	}
	for {
		if _, err := d.FanOut(ctx); err != nil && ctx.Err() == nil {
			d.Logger.Warn("fanning out notifications", "error", err)
		}
		if _, _, err := d.Deliver(ctx); err != nil && ctx.Err() == nil {
			d.Logger.Warn("delivering notifications", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(interval):
		}
	}
}

// FanOut fans out every event waiting in the outbox.
func (d *Dispatcher) FanOut(ctx context.Context) (int, error) {
	total := 0
	for {
		n, err := d.Store.FanOutNotifications(ctx, 50, renderOutbox)
		total += n
		if err != nil || n < 50 {
			return total, err
		}
	}
}

// Deliver makes one pass over the due deliveries.
func (d *Dispatcher) Deliver(ctx context.Context) (delivered, failed int, err error) {
	pol := store.DeliveryPolicy{Backoff: d.Backoff, Permanent: IsPermanent, MaxAttempts: d.MaxAttempts}
	if pol.Backoff == nil {
		pol.Backoff = Backoff
	}
	if pol.MaxAttempts == 0 {
		pol.MaxAttempts = 8
	}
	return d.Store.DeliverChannels(ctx, 50, func(dl store.Delivery) error { return d.send(ctx, dl) }, pol)
}

func (d *Dispatcher) send(ctx context.Context, dl store.Delivery) error {
	msg := Message{Title: dl.Title, Body: dl.Body}
	robots := d.Robots
	if robots == nil {
		robots = &Robots{}
	}
	switch dl.Channel {
	case store.ChannelEmail:
		return d.Mail.Send(ctx, dl.Target, msg)
	case store.ChannelWeCom:
		if dl.WeComURL == "" {
			return permanent("the region has no WeCom robot any more")
		}
		return robots.WeCom(ctx, dl.WeComURL, msg)
	case store.ChannelDingTalk:
		if dl.DingTalkURL == "" {
			return permanent("the region has no DingTalk robot any more")
		}
		return robots.DingTalk(ctx, dl.DingTalkURL, dl.DingTalkSecret, msg)
	}
	return permanent("unknown channel %q", dl.Channel)
}

// renderOutbox words an outbox event from its payload.
func renderOutbox(ev store.OutboxEvent) store.Rendered {
	var p struct {
		Kind            string    `json:"kind"`
		DueAt           time.Time `json:"due_at"`
		EscalationLevel int       `json:"escalation_level"`
	}
	_ = json.Unmarshal(ev.Payload, &p) // a payload without these fields is worded without them
	e := Event{Event: ev.Event, Kind: p.Kind, DueAt: p.DueAt, EscalationLevel: p.EscalationLevel}
	if ev.TaskID != nil {
		e.TaskID = ev.TaskID.String()
	}
	m := Render(e)
	return store.Rendered{Title: m.Title, Body: m.Body}
}
