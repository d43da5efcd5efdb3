package usecase

import (
	"context"
	"errors"
	"net/url"
	"strings"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/forms"
	"github.com/stationflow/stationflow/internal/store"
)

// Notifications (通知) belong to a person: only a caller acting for an
// account has a list and preferences; a service token is refused. A
// notification of another account is not found, as if absent.

// InboxQuery asks for a page of the caller's own notifications.
type InboxQuery struct {
	UnreadOnly bool
	Page       store.Page
}

// Notifications lists the caller's own notifications, newest first.
func (c *Cases) Notifications(ctx context.Context, who Caller, in Input[InboxQuery]) (store.List[store.InboxNotification], error) {
	if err := person(who); err != nil {
		return store.List[store.InboxNotification]{}, err
	}
	q, err := in()
	if err != nil {
		return store.List[store.InboxNotification]{}, err
	}
	return c.Store.ListInbox(ctx, store.InboxFilter{Account: who.AccountID, UnreadOnly: q.UnreadOnly}, q.Page)
}

// ReadNotification marks one of the caller's notifications read.
func (c *Cases) ReadNotification(ctx context.Context, who Caller, rawID string) (store.InboxNotification, error) {
	if err := person(who); err != nil {
		return store.InboxNotification{}, err
	}
	id, err := parseID("notification", rawID)
	if err != nil {
		return store.InboxNotification{}, err
	}
	n, err := c.Store.MarkInboxRead(ctx, who.AccountID, id)
	if errors.Is(err, store.ErrNotFound) {
		return n, NotFound("notification")
	}
	return n, err
}

// NotificationPreferences answers the caller's channels.
func (c *Cases) NotificationPreferences(ctx context.Context, who Caller) (store.NotificationPreferences, error) {
	if err := person(who); err != nil {
		return store.NotificationPreferences{}, err
	}
	return c.Store.GetNotificationPreferences(ctx, who.AccountID)
}

// SetNotificationPreferences replaces the caller's channels. E-mail goes
// to the account's address, so choosing it without one is refused.
func (c *Cases) SetNotificationPreferences(ctx context.Context, who Caller, in Input[store.NotificationPreferences]) (store.NotificationPreferences, error) {
	if err := person(who); err != nil {
		return store.NotificationPreferences{}, err
	}
	p, err := in()
	if err != nil {
		return p, err
	}
	if p.Email {
		acc, err := c.Store.GetAccount(ctx, who.AccountID)
		if err != nil {
			return p, err
		}
		if acc.Email == "" {
			return p, invalid("the account has no e-mail address",
				forms.FieldError{Field: "email", Message: "账户没有电子邮件地址 / the account has no e-mail address"})
		}
	}
	return c.Store.PutNotificationPreferences(ctx, who.AccountID, p)
}

// SetNotificationChannel replaces the group robots of a region: an admin
// anywhere, an office within its own region.
func (c *Cases) SetNotificationChannel(ctx context.Context, who Caller, region string, in Input[store.NotificationChannel]) (store.NotificationChannel, error) {
	if err := AllowRoles(who, auth.RoleAdmin, auth.RoleOffice); err != nil {
		return store.NotificationChannel{}, err
	}
	if who.Role == auth.RoleOffice && !auth.InRegion(who.Scope, region) {
		return store.NotificationChannel{}, NotFound("region " + region)
	}
	ch, err := in()
	if err != nil {
		return ch, err
	}
	ch.RegionCode = region
	if err := invalidIf(checkChannel(ch)); err != nil {
		return ch, err
	}
	return c.Store.PutNotificationChannel(ctx, who.Actor(), ch)
}

// checkChannel validates the robots' URLs: https, with a host.
func checkChannel(ch store.NotificationChannel) forms.Errors {
	var errs forms.Errors
	for field, raw := range map[string]string{"wecom_url": ch.WeComURL, "dingtalk_url": ch.DingTalkURL} {
		if raw == "" {
			continue
		}
		u, err := url.Parse(raw)
		if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || u.Fragment != "" {
			errs = append(errs, forms.FieldError{Field: field, Message: "须为 https 网址 / must be an https URL"})
		}
	}
	if ch.DingTalkSecret != "" && ch.DingTalkURL == "" {
		errs = append(errs, forms.FieldError{Field: "dingtalk_secret", Message: "须同时给出钉钉机器人网址 / needs dingtalk_url"})
	}
	if strings.ContainsAny(ch.DingTalkSecret, " \t\r\n") {
		errs = append(errs, forms.FieldError{Field: "dingtalk_secret", Message: "不能含空白 / must not contain white space"})
	}
	return errs
}
