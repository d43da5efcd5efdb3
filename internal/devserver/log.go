package devserver

import (
	"context"
	"log/slog"
	"os"
	"sync/atomic"

	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/log/tag"
)

// slogLogger adapts the Temporal server's logging interface to a
// *slog.Logger. Records below minLevel are dropped before any tag is
// converted, so the (very chatty) Info and Debug output of the server costs
// next to nothing.
type slogLogger struct {
	l        *slog.Logger
	minLevel slog.Level
	// stopping is set by Server.Stop: while the services shut down one by
	// one they warn and log errors about peers that no longer answer and
	// shards that closed, which is expected. Such records are dropped from
	// then on; Panic and Fatal still log.
	stopping *atomic.Bool
}

var (
	_ log.Logger     = slogLogger{}
	_ log.WithLogger = slogLogger{}
)

func newSlogLogger(l *slog.Logger, minLevel slog.Level) slogLogger {
	if l == nil {
		l = slog.Default()
	}
	return slogLogger{l: l, minLevel: minLevel, stopping: new(atomic.Bool)}
}

func (s slogLogger) log(level slog.Level, msg string, tags []tag.Tag) {
	if level < s.minLevel || s.stopping.Load() {
		return
	}
	ctx := context.Background()
	if !s.l.Enabled(ctx, level) {
		return
	}
	s.l.LogAttrs(ctx, level, msg, tagsToAttrs(tags)...)
}

func tagsToAttrs(tags []tag.Tag) []slog.Attr {
	if len(tags) == 0 {
		return nil
	}
	attrs := make([]slog.Attr, 0, len(tags))
	for _, t := range tags {
		attrs = append(attrs, slog.Any(t.Key(), t.Value()))
	}
	return attrs
}

func (s slogLogger) Debug(msg string, tags ...tag.Tag) { s.log(slog.LevelDebug, msg, tags) }
func (s slogLogger) Info(msg string, tags ...tag.Tag)  { s.log(slog.LevelInfo, msg, tags) }
func (s slogLogger) Warn(msg string, tags ...tag.Tag)  { s.log(slog.LevelWarn, msg, tags) }
func (s slogLogger) Error(msg string, tags ...tag.Tag) { s.log(slog.LevelError, msg, tags) }

// DPanic is a development-only panic in the server; here it is an error.
func (s slogLogger) DPanic(msg string, tags ...tag.Tag) { s.log(slog.LevelError, msg, tags) }

func (s slogLogger) Panic(msg string, tags ...tag.Tag) {
	s.l.LogAttrs(context.Background(), slog.LevelError, msg, tagsToAttrs(tags)...)
	panic(msg)
}

// Fatal ends the process, as the server expects: the code after a Fatal call
// assumes it does not return. Start checks ports and the data-dir lock
// beforehand so that the usual causes surface as errors instead.
func (s slogLogger) Fatal(msg string, tags ...tag.Tag) {
	s.l.LogAttrs(context.Background(), slog.LevelError, "temporal server fatal: "+msg, tagsToAttrs(tags)...)
	os.Exit(1)
}

func (s slogLogger) With(tags ...tag.Tag) log.Logger {
	if len(tags) == 0 {
		return s
	}
	args := make([]any, 0, len(tags))
	for _, a := range tagsToAttrs(tags) {
		args = append(args, a)
	}
	return slogLogger{l: s.l.With(args...), minLevel: s.minLevel, stopping: s.stopping}
}
