package store

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/stationflow/stationflow/internal/store/db"
)

// NotificationPreferences are the channels an account wants its
// notifications on besides the in-app list; all off until it chooses.
type NotificationPreferences struct {
	Email    bool `json:"email"`
	WeCom    bool `json:"wecom"`
	DingTalk bool `json:"dingtalk"`
}

// GetNotificationPreferences answers an account's preferences.
func (s *Store) GetNotificationPreferences(ctx context.Context, account uuid.UUID) (NotificationPreferences, error) {
	r, err := s.q.GetNotificationPreferences(ctx, account)
	if errors.Is(err, pgx.ErrNoRows) {
		return NotificationPreferences{}, nil
	}
	return NotificationPreferences{Email: r.Email, WeCom: r.Wecom, DingTalk: r.Dingtalk}, err
}

// PutNotificationPreferences replaces an account's preferences.
func (s *Store) PutNotificationPreferences(ctx context.Context, account uuid.UUID, p NotificationPreferences) (NotificationPreferences, error) {
	r, err := s.q.PutNotificationPreferences(ctx, db.PutNotificationPreferencesParams{AccountID: account, Email: p.Email,
		Wecom: p.WeCom, Dingtalk: p.DingTalk})
	return NotificationPreferences{Email: r.Email, WeCom: r.Wecom, DingTalk: r.Dingtalk}, err
}

// NotificationChannel is a region's group robots. The DingTalk secret is
// never answered back, only whether one is set.
type NotificationChannel struct {
	RegionCode     string    `json:"region_code"`
	WeComURL       string    `json:"wecom_url"`
	DingTalkURL    string    `json:"dingtalk_url"`
	DingTalkSecret string    `json:"-"`
	DingTalkSigned bool      `json:"dingtalk_signed"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// PutNotificationChannel replaces a region's group robots.
func (s *Store) PutNotificationChannel(ctx context.Context, actor string, c NotificationChannel) (NotificationChannel, error) {
	var out NotificationChannel
	err := s.inTx(ctx, func(tx pgx.Tx, q *db.Queries) error {
		r, err := q.PutNotificationChannel(ctx, db.PutNotificationChannelParams{RegionCode: c.RegionCode, WecomUrl: c.WeComURL,
			DingtalkUrl: c.DingTalkURL, DingtalkSecret: c.DingTalkSecret, UpdatedBy: actor})
		if err != nil {
			return err
		}
		out = NotificationChannel{RegionCode: r.RegionCode, WeComURL: r.WecomUrl, DingTalkURL: r.DingtalkUrl,
			DingTalkSigned: r.DingtalkSecret != "", UpdatedAt: r.UpdatedAt}
		return AppendAudit(ctx, tx, AuditEntry{Actor: actor, Action: "notification_channel.put", ObjectType: "region",
			ObjectID: c.RegionCode, Detail: mustJSON(map[string]any{"wecom": c.WeComURL != "", "dingtalk": c.DingTalkURL != ""})})
	})
	return out, err
}
