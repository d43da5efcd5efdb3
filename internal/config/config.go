// Package config reads stationflow's settings from flags and the
// environment, in one place, with defaults that work on a fresh machine.
// Every flag has an environment twin; a flag given on the command line wins.
package config

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/store"
)

// Config is every setting a stationflow process may need.
type Config struct {
	DatabaseURL       string
	DataDir           string
	HTTPAddr          string
	MetricsAddr       string
	MetricsToken      string
	TemporalAddress   string
	TemporalPort      int
	UIPort            int
	Namespace         string
	TaskQueue         string
	CodecKey          string
	CodecKeyFile      string
	LogLevel          string
	Workday           time.Duration
	CalendarDir       string
	WebhookURL        string
	SMTPAddr          string
	SMTPFrom          string
	ReviewDue         int
	AmendDue          int
	SupervisionDue    int
	RectifyDue        int
	VerifyDue         int
	DecisionDue       int
	QuarterWorkdays   int
	SupervisionRubric string
	RateLimit         int
	RemindBefore      int
	EscalateEvery     int
	WaitTimeout       time.Duration
	SessionIdle       time.Duration
	SessionMax        time.Duration
}

// Setting describes one configuration value, for flags and the README table.
type Setting struct {
	Flag    string
	Env     string
	Default string
	Usage   string
}

// Settings lists every setting with its flag, environment variable and default.
var Settings = []Setting{
	{"database-url", "DATABASE_URL", store.DefaultURL, "PostgreSQL URL; dev creates the database if it is missing"},
	{"data-dir", "STATIONFLOW_DATA_DIR", ".stationflow", "directory for the embedded Temporal server's state and the payload key"},
	{"http-addr", "STATIONFLOW_HTTP_ADDR", "127.0.0.1:8080", "address the HTTP API listens on"},
	{"metrics-addr", "STATIONFLOW_METRICS_ADDR", "", "address that serves /metrics alone, off the API's address; empty: /metrics is on the API's address behind --metrics-token"},
	{"metrics-token", "STATIONFLOW_METRICS_TOKEN", "", "bearer token /metrics asks for on the API's address when --metrics-addr is empty; both empty: no /metrics"},
	{"temporal-address", "TEMPORAL_ADDRESS", "", "host:port of an external Temporal frontend; empty: dev and the benches embed one, worker and api use 127.0.0.1:<temporal-port>"},
	{"temporal-port", "STATIONFLOW_TEMPORAL_PORT", "7233", "port of the embedded Temporal frontend (dev)"},
	{"ui-port", "STATIONFLOW_UI_PORT", "8233", "port of the Temporal Web UI that dev serves; 0 turns it off"},
	{"namespace", "TEMPORAL_NAMESPACE", flow.Namespace, "Temporal namespace"},
	{"task-queue", "STATIONFLOW_TASK_QUEUE", flow.TaskQueue, "Temporal task queue"},
	{"codec-key", "STATIONFLOW_CODEC_KEY", "", "base64 AES-256 key that encrypts Temporal payloads (wins over the key file)"},
	{"codec-key-file", "STATIONFLOW_CODEC_KEY_FILE", "", "file holding the payload key; default <data-dir>/codec.key, which dev creates"},
	{"log-level", "STATIONFLOW_LOG_LEVEL", "info", "debug, info, warn or error"},
	{"workday", "STATIONFLOW_WORKDAY", "", "wall-clock length of one working day for demos (e.g. 2s); empty: the real calendar"},
	{"calendar-dir", "STATIONFLOW_CALENDAR_DIR", "", "directory of working-day calendar files (cn-YYYY.json) that replace or extend the built-in years"},
	{"webhook-url", "STATIONFLOW_WEBHOOK_URL", "", "URL that receives reminders and escalations as JSON POSTs; empty: they wait in the outbox"},
	{"smtp-addr", "STATIONFLOW_SMTP_ADDR", "", "host:port of the SMTP relay that e-mails notifications (no authentication; STARTTLS when offered); empty: e-mail deliveries fail"},
	{"smtp-from", "STATIONFLOW_SMTP_FROM", "stationflow@localhost", "sender address of notification e-mail"},
	{"review-due", "STATIONFLOW_REVIEW_DUE_WORKDAYS", "10", "working days an office has to review an application"},
	{"amend-due", "STATIONFLOW_AMEND_DUE_WORKDAYS", "10", "working days an organisation has to amend a returned application"},
	{"supervision-due", "STATIONFLOW_SUPERVISION_DUE_WORKDAYS", "10", "working days after a quarter ends that its supervision form is due"},
	{"rectify-due", "STATIONFLOW_RECTIFY_DUE_WORKDAYS", "20", "working days an organisation has to answer a rectification item"},
	{"verify-due", "STATIONFLOW_VERIFY_DUE_WORKDAYS", "5", "working days a supervisor has to verify a rectification response"},
	{"decision-due", "STATIONFLOW_DECISION_DUE_WORKDAYS", "10", "working days an office has to arbitrate, decide a renewal or review an appeal, and a third evaluator has to score"},
	{"quarter-workdays", "STATIONFLOW_QUARTER_WORKDAYS", "60", "with --workday set: scaled working days a supervision quarter lasts"},
	{"supervision-rubric", "STATIONFLOW_SUPERVISION_RUBRIC", "", "rubric version new quarterly supervisions use; empty: the latest in schemas/rubrics"},
	{"rate-limit", "STATIONFLOW_RATE_LIMIT", "50", "requests a second each API token may send, with bursts of twice that, and each client address without a valid token; 0: no limit"},
	{"remind-before", "STATIONFLOW_REMIND_WORKDAYS", "2", "working days before a due date that the assignee is reminded"},
	{"escalate-every", "STATIONFLOW_ESCALATE_WORKDAYS", "5", "working days overdue work waits at each level before it climbs to the next office"},
	{"wait-timeout", "STATIONFLOW_WAIT_TIMEOUT", "10s", "longest an API request waits on a workflow before it answers 504"},
	{"session-idle", "STATIONFLOW_SESSION_IDLE", "30m", "a signed-in session ends after this long without a request"},
	{"session-max", "STATIONFLOW_SESSION_MAX", "12h", "a signed-in session ends this long after the sign-in, however it is used"},
}

// Bind registers every setting on fs, with the environment (or the default)
// as the flag's default value, and returns the Config the flags fill.
func Bind(fs *flag.FlagSet) *Config {
	c := &Config{}
	str := func(p *string, name string) {
		s := lookup(name)
		fs.StringVar(p, s.Flag, envOr(s), s.Usage+" ["+s.Env+"]")
	}
	num := func(p *int, name string) {
		s := lookup(name)
		v, err := strconv.Atoi(envOr(s))
		if err != nil {
			v, _ = strconv.Atoi(s.Default)
		}
		fs.IntVar(p, s.Flag, v, s.Usage+" ["+s.Env+"]")
	}
	str(&c.DatabaseURL, "database-url")
	str(&c.DataDir, "data-dir")
	str(&c.HTTPAddr, "http-addr")
	str(&c.MetricsAddr, "metrics-addr")
	str(&c.MetricsToken, "metrics-token")
	str(&c.TemporalAddress, "temporal-address")
	num(&c.TemporalPort, "temporal-port")
	num(&c.UIPort, "ui-port")
	str(&c.Namespace, "namespace")
	str(&c.TaskQueue, "task-queue")
	str(&c.CodecKey, "codec-key")
	str(&c.CodecKeyFile, "codec-key-file")
	str(&c.LogLevel, "log-level")
	str(&c.CalendarDir, "calendar-dir")
	str(&c.WebhookURL, "webhook-url")
	str(&c.SMTPAddr, "smtp-addr")
	str(&c.SMTPFrom, "smtp-from")
	num(&c.ReviewDue, "review-due")
	num(&c.AmendDue, "amend-due")
	num(&c.SupervisionDue, "supervision-due")
	num(&c.RectifyDue, "rectify-due")
	num(&c.VerifyDue, "verify-due")
	num(&c.DecisionDue, "decision-due")
	num(&c.QuarterWorkdays, "quarter-workdays")
	str(&c.SupervisionRubric, "supervision-rubric")
	num(&c.RateLimit, "rate-limit")
	num(&c.RemindBefore, "remind-before")
	num(&c.EscalateEvery, "escalate-every")
	wd := lookup("workday")
	fs.Func(wd.Flag, wd.Usage+" ["+wd.Env+"]", func(v string) error {
		d, err := parseWorkday(v)
		c.Workday = d
		return err
	})
	c.Workday, _ = parseWorkday(os.Getenv(wd.Env))
	wt := lookup("wait-timeout")
	waitDefault, err := time.ParseDuration(envOr(wt))
	if err != nil || waitDefault <= 0 {
		waitDefault, _ = time.ParseDuration(wt.Default)
	}
	fs.DurationVar(&c.WaitTimeout, wt.Flag, waitDefault, wt.Usage+" ["+wt.Env+"]")
	duration(fs, &c.SessionIdle, "session-idle")
	duration(fs, &c.SessionMax, "session-max")
	return c
}

// duration binds a positive duration setting; an unreadable environment
// value falls back to the default.
func duration(fs *flag.FlagSet, p *time.Duration, name string) {
	s := lookup(name)
	d, err := time.ParseDuration(envOr(s))
	if err != nil || d <= 0 {
		d, _ = time.ParseDuration(s.Default)
	}
	fs.DurationVar(p, s.Flag, d, s.Usage+" ["+s.Env+"]")
}

func parseWorkday(v string) (time.Duration, error) {
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("workday must be a positive duration such as 2s, not %q", v)
	}
	return d, nil
}

func lookup(flagName string) Setting {
	for _, s := range Settings {
		if s.Flag == flagName {
			return s
		}
	}
	panic("no setting " + flagName)
}

func envOr(s Setting) string {
	if v, ok := os.LookupEnv(s.Env); ok {
		return v
	}
	return s.Default
}

// KeyFile is the payload key file in effect.
func (c *Config) KeyFile() string {
	if c.CodecKeyFile != "" {
		return c.CodecKeyFile
	}
	return filepath.Join(c.DataDir, "codec.key")
}

// TemporalHostPort is the frontend a worker or API process dials.
func (c *Config) TemporalHostPort() string {
	if c.TemporalAddress != "" {
		return c.TemporalAddress
	}
	return fmt.Sprintf("127.0.0.1:%d", c.TemporalPort)
}
