// Package notify brings stationflow's notifications to people. The
// workflows write events into the outbox (a reminder, an escalation, a
// reassignment); the Dispatcher fans each event out to the accounts its
// recipient stands for (the accounts of an office's region, of an
// organisation, or of a person), one in-app notification per account and
// event, and then delivers each notification on the channels its account
// chose: e-mail over SMTP, and the WeCom or DingTalk group robot
// configured for the region. Every delivery is keyed by notification and
// channel, retried with bounded backoff, and given up at once when the
// receiver refuses it for good (a 4xx, an SMTP 5xx, a robot's error
// code), so a failing channel never holds up the others.
//
// Messages speak Chinese first and English second and name only the task,
// its kind and its deadline, never the people a case is about.
package notify

import (
	"errors"
	"fmt"
	"time"
)

// Message is what a person is told: a title and a short body.
type Message struct {
	Title string
	Body  string
}

// Permanent marks an error the receiver will give again however often it
// is retried: the delivery is given up.
type Permanent struct{ Err error }

func (p *Permanent) Error() string { return "permanent: " + p.Err.Error() }
func (p *Permanent) Unwrap() error { return p.Err }

// IsPermanent reports whether err should not be retried.
func IsPermanent(err error) bool {
	var p *Permanent
	return errors.As(err, &p)
}

func permanent(format string, args ...any) error {
	return &Permanent{Err: fmt.Errorf(format, args...)}
}

// Backoff is the wait before attempt n+1: 5 s doubling to at most an hour.
func Backoff(attempts int) time.Duration {
	d := 5 * time.Second
	for i := 1; i < attempts && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}
