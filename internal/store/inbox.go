package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/stationflow/stationflow/internal/store/db"
)

// InboxNotification is one notification in an account's in-app list.
type InboxNotification struct {
	ID         uuid.UUID  `json:"id"`
	Event      string     `json:"event"`
	TaskID     *uuid.UUID `json:"task_id"`
	RegionCode string     `json:"region_code"`
	Title      string     `json:"title"`
	Body       string     `json:"body"`
	CreatedAt  time.Time  `json:"created_at"`
	ReadAt     *time.Time `json:"read_at"`
}

func inboxFromDB(r db.InboxNotification) InboxNotification {
	return InboxNotification{ID: r.ID, Event: r.Event, TaskID: r.TaskID, RegionCode: r.RegionCode, Title: r.Title, Body: r.Body,
		CreatedAt: r.CreatedAt, ReadAt: r.ReadAt}
}

// OutboxEvent is an outbox row being fanned out, with the region it
// concerns: the office's for an office recipient, else the task's.
type OutboxEvent struct {
	Notification
	RegionCode string
}

// Rendered is an event worded for people.
type Rendered struct {
	Title, Body string
}

// Delivery channels.
const (
	ChannelEmail    = "email"
	ChannelWeCom    = "wecom"
	ChannelDingTalk = "dingtalk"
)

// FanOutNotifications resolves up to limit outbox events not fanned out
// yet to the accounts their recipients stand for, writes one in-app
// notification per account and event, queues one delivery per
// notification and channel the account chose, and marks the events fanned
// out, all in one transaction: run twice, it writes nothing twice.
func (s *Store) FanOutNotifications(ctx context.Context, limit int, render func(OutboxEvent) Rendered) (events int, err error) {
	err = s.inTx(ctx, func(_ pgx.Tx, q *db.Queries) error {
		rows, err := q.UnfannedNotifications(ctx, limit)
		if err != nil {
			return err
		}
		for _, r := range rows {
			n := notificationFromDB(db.Outbox{ID: r.ID, IdempotencyKey: r.IdempotencyKey, Event: r.Event, TaskID: r.TaskID,
				Recipient: r.Recipient, Payload: r.Payload, Attempts: r.Attempts})
			ev := OutboxEvent{Notification: n, RegionCode: r.TaskRegion}
			kind, scope, _ := strings.Cut(n.Recipient, ":")
			if kind == "office" {
				ev.RegionCode = scope
			}
			if err := fanOut(ctx, q, ev, kind, scope, render(ev)); err != nil {
				return err
			}
			if err := q.MarkFannedOut(ctx, r.ID); err != nil {
				return err
			}
			events++
		}
		return nil
	})
	return events, err
}

// fanOut writes one event's notifications and deliveries.
func fanOut(ctx context.Context, q *db.Queries, ev OutboxEvent, kind, scope string, msg Rendered) error {
	accounts, err := q.RecipientAccounts(ctx, db.RecipientAccountsParams{Kind: kind, Scope: scope})
	if err != nil {
		return err
	}
	robots, err := q.ChannelFor(ctx, ev.RegionCode)
	if errors.Is(err, pgx.ErrNoRows) || ev.RegionCode == "" {
		robots, err = db.NotificationChannel{}, nil
	}
	if err != nil {
		return err
	}
	for _, a := range accounts {
		id, err := q.InsertInboxNotification(ctx, db.InsertInboxNotificationParams{ID: NewID(), AccountID: a.ID, EventKey: ev.Key,
			Event: ev.Event, TaskID: ev.TaskID, RegionCode: ev.RegionCode, Title: msg.Title, Body: msg.Body})
		if err != nil {
			return err
		}
		for channel, target := range map[string]string{
			ChannelEmail:    when(a.WantEmail && a.Email != "", a.Email),
			ChannelWeCom:    when(a.WantWecom && robots.WecomUrl != "", robots.RegionCode),
			ChannelDingTalk: when(a.WantDingtalk && robots.DingtalkUrl != "", robots.RegionCode),
		} {
			if target == "" {
				continue
			}
			if err := q.InsertDelivery(ctx, db.InsertDeliveryParams{DeliveryKey: id.String() + "/" + channel, NotificationID: id,
				Channel: channel, Target: target}); err != nil {
				return err
			}
		}
	}
	return nil
}

func when(ok bool, v string) string {
	if ok {
		return v
	}
	return ""
}

// InboxFilter narrows an account's list.
type InboxFilter struct {
	Account    uuid.UUID
	UnreadOnly bool
}

// ListInbox answers one page of an account's notifications, newest first.
func (s *Store) ListInbox(ctx context.Context, f InboxFilter, p Page) (List[InboxNotification], error) {
	q := newQuery(`SELECT id, event, task_id, region_code, title, body, created_at, read_at FROM inbox_notifications`)
	q.whereIf(true, "account_id = ?", f.Account)
	q.whereIf(f.UnreadOnly, "read_at IS NULL")
	q.whereIf(p.After != uuid.Nil, "id < ?", p.After)
	limit := p.limit()
	q.args = append(q.args, limit+1)
	rows, err := s.pool.Query(ctx, q.sql(fmt.Sprintf("ORDER BY id DESC LIMIT $%d", len(q.args))), q.args...)
	if err != nil {
		return List[InboxNotification]{}, err
	}
	items, err := pgx.CollectRows(rows, pgx.RowToStructByPos[InboxNotification])
	if err != nil {
		return List[InboxNotification]{}, err
	}
	return pageOf(items, limit, func(n InboxNotification) uuid.UUID { return n.ID }), nil
}

// MarkInboxRead marks an account's own notification read (once: a second
// call keeps the first time) and returns it; another account's is
// ErrNotFound.
func (s *Store) MarkInboxRead(ctx context.Context, account, id uuid.UUID) (InboxNotification, error) {
	if err := s.q.MarkInboxRead(ctx, db.MarkInboxReadParams{ID: id, AccountID: account}); err != nil {
		return InboxNotification{}, err
	}
	r, err := s.q.InboxNotification(ctx, db.InboxNotificationParams{ID: id, AccountID: account})
	if errors.Is(err, pgx.ErrNoRows) {
		return InboxNotification{}, ErrNotFound
	}
	return inboxFromDB(r), err
}
