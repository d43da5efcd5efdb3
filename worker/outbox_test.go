package worker

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stationflow/stationflow/internal/store"
	"github.com/stationflow/stationflow/internal/testdb"
)

func TestNotificationsAreWrittenOnceAndDeliveredDespiteAFailingReceiver(t *testing.T) {
	t.Parallel()
	st, _ := testdb.New(t)
	ctx := context.Background()
	for range 2 { // a retried activity writes the same notification twice
		if err := st.EnqueueNotification(ctx, store.Notification{Key: "task/x/application_review/1/reminded", Event: "task.reminded",
			Recipient: "office:510108", Payload: json.RawMessage(`{"event":"task.reminded"}`)}); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	var keys []string
	calls := 0
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		_, _ = io.ReadAll(r.Body)
		if calls == 1 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		keys = append(keys, r.Header.Get("Idempotency-Key"))
	}))
	defer receiver.Close()

	d := &Deliverer{Store: st, WebhookURL: receiver.URL, Logger: slog.New(slog.DiscardHandler)}
	noWait := func(int) time.Duration { return 0 }
	delivered, failed, err := st.DeliverNotifications(ctx, 10, func(n store.Notification) error { return d.send(ctx, n) }, noWait)
	if err != nil || delivered != 0 || failed != 1 {
		t.Fatalf("first pass: delivered %d failed %d (%v); want the 503 counted as a failure", delivered, failed, err)
	}
	delivered, failed, err = st.DeliverNotifications(ctx, 10, func(n store.Notification) error { return d.send(ctx, n) }, noWait)
	if err != nil || delivered != 1 || failed != 0 {
		t.Fatalf("second pass: delivered %d failed %d (%v)", delivered, failed, err)
	}
	delivered, _, _ = st.DeliverNotifications(ctx, 10, func(n store.Notification) error { return d.send(ctx, n) }, noWait)
	if delivered != 0 {
		t.Fatal("a delivered notification was sent again")
	}
	if len(keys) != 1 || keys[0] != "task/x/application_review/1/reminded" {
		t.Fatalf("receiver saw keys %v", keys)
	}
}

func TestBackoffDoublesUpToAnHour(t *testing.T) {
	for attempts, want := range map[int]time.Duration{1: 5 * time.Second, 2: 10 * time.Second, 4: 40 * time.Second, 30: time.Hour} {
		if got := Backoff(attempts); got != want {
			t.Errorf("Backoff(%d) = %s, want %s", attempts, got, want)
		}
	}
}
