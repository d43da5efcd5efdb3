package api

import (
	"context"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/stationflow/stationflow/internal/store"
	"github.com/stationflow/stationflow/internal/usecase"
)

// listNotifications answers one page of the caller's own notifications,
// newest first; ?unread=true keeps the unread ones.
func (s *Server) listNotifications(w http.ResponseWriter, r *http.Request) error {
	list, err := s.cases().Notifications(r.Context(), principal(r), query(s, r, func(page store.Page) (usecase.InboxQuery, error) {
		unread, err := optional(r, "unread", false, boolParam)
		return usecase.InboxQuery{UnreadOnly: unread, Page: page}, err
	}))
	return answer(w, http.StatusOK, list.Sealed(s.sealFor(r)), err)
}

// readNotification marks one of the caller's notifications read.
func (s *Server) readNotification(w http.ResponseWriter, r *http.Request) error {
	n, err := s.cases().ReadNotification(r.Context(), principal(r), pathID(r))
	return answer(w, http.StatusOK, n, err)
}

// NotificationPreferences is the body of PUT /v1/me/notification-preferences.
type NotificationPreferences struct {
	Email    *bool `json:"email" validate:"required"`
	WeCom    *bool `json:"wecom" validate:"required"`
	DingTalk *bool `json:"dingtalk" validate:"required"`
}

func (s *Server) getNotificationPreferences(w http.ResponseWriter, r *http.Request) error {
	p, err := s.cases().NotificationPreferences(r.Context(), principal(r))
	return answer(w, http.StatusOK, p, err)
}

func (s *Server) putNotificationPreferences(w http.ResponseWriter, r *http.Request) error {
	p, err := s.cases().SetNotificationPreferences(r.Context(), principal(r), func() (store.NotificationPreferences, error) {
		var req NotificationPreferences
		if err := decode(w, r, &req); err != nil {
			return store.NotificationPreferences{}, err
		}
		return store.NotificationPreferences{Email: *req.Email, WeCom: *req.WeCom, DingTalk: *req.DingTalk}, nil
	})
	return answer(w, http.StatusOK, p, err)
}

// NotificationChannel is the body of PUT /v1/notification-channels/{region}:
// the region's WeCom and DingTalk group robots; an empty URL turns one off.
type NotificationChannel struct {
	WeComURL       string `json:"wecom_url" validate:"max=500"`
	DingTalkURL    string `json:"dingtalk_url" validate:"max=500"`
	DingTalkSecret string `json:"dingtalk_secret" validate:"max=200"`
}

// putNotificationChannel stores a region's group robots.
func (s *Server) putNotificationChannel(w http.ResponseWriter, r *http.Request) error {
	region, err := regionParam("region", muxVar(r, "region"))
	if err != nil {
		return err
	}
	ch, err := s.cases().SetNotificationChannel(r.Context(), principal(r), region, func() (store.NotificationChannel, error) {
		var req NotificationChannel
		err := decode(w, r, &req)
		return store.NotificationChannel{WeComURL: req.WeComURL, DingTalkURL: req.DingTalkURL, DingTalkSecret: req.DingTalkSecret}, err
	})
	return answer(w, http.StatusOK, ch, err)
}

// deliveryCollector exports the notification deliveries by channel and
// state (pending, retrying, delivered, failed), read from the record at
// each scrape; failed ones are those given up for good.
func (s *Server) deliveryCollector() prometheus.Collector {
	return &deliveryGauges{s: s, desc: prometheus.NewDesc("stationflow_notification_deliveries",
		"Notification deliveries by channel and state; failed ones were given up (a permanent refusal or too many attempts).",
		[]string{"channel", "state"}, nil)}
}

type deliveryGauges struct {
	s    *Server
	desc *prometheus.Desc
}

func (c *deliveryGauges) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *deliveryGauges) Collect(ch chan<- prometheus.Metric) {
	if c.s.Store == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	counts, err := c.s.Store.CountDeliveries(ctx)
	if err != nil {
		c.s.Logger.Warn("reading notification deliveries for /metrics", "error", err)
		return
	}
	for _, n := range counts {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n.Deliveries), n.Channel, n.State)
	}
}
