// Package calendar counts Chinese working days (工作日), the unit of every
// deadline in stationflow. Each year the General Office of the State Council
// publishes that year's public holidays and the make-up working days (调休
// 上班) that turn some Saturdays and Sundays into working days; stationflow
// keeps one JSON file per year (schemas/calendar/cn-YYYY.json), checked
// against calendar.schema.json and against the rules a schema cannot
// express when it is loaded.
//
// A date is a date in China Standard Time (UTC+8, the time of
// Asia/Shanghai, which has kept no daylight saving time since 1991). A year
// without a file falls back to counting Saturdays and Sundays as the only
// rest days, and the calendar warns about it in the log once per year, so a
// missing file for next year is noticed before its holidays are counted as
// working days.
package calendar

import (
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"
)

// EndOfBusinessHour is the hour, China Standard Time, at which a working
// day's deadline falls.
const EndOfBusinessHour = 18

// chinaTime is China Standard Time. A fixed zone gives the same answer on
// every machine, with or without a time zone database.
var chinaTime = time.FixedZone("CST", 8*60*60)

// Location returns China Standard Time (UTC+8), the zone all dates in this
// package are taken in.
func Location() *time.Location { return chinaTime }

// Calendar tells working days from rest days. It does not change after it is
// loaded and is safe for concurrent use. The zero Calendar knows no year.
type Calendar struct {
	years  map[int]*schedule
	logger *slog.Logger
	warned sync.Map // year (int) → struct{}: uncovered years already warned about
}

// schedule is one year's holidays and make-up working days.
type schedule struct {
	year     int
	source   string
	file     string
	holidays map[day]string // rest day → holiday name
	makeup   map[day]string // make-up working day → reason
}

// WithLogger returns a calendar with the same schedule that warns about
// uncovered years on logger (nil: slog's default logger) — once per year,
// counted afresh for the returned calendar.
func (c *Calendar) WithLogger(logger *slog.Logger) *Calendar {
	return &Calendar{years: c.years, logger: logger}
}

// IsWorkday reports whether t's date in China Standard Time is a working
// day: not a holiday, and either a make-up working day or Monday to Friday.
func (c *Calendar) IsWorkday(t time.Time) bool { return c.isWorkday(dayOf(t)) }

// AddWorkdays returns the end of business (18:00 China Standard Time) of the
// nth working day after t's date. The day t falls on does not count, however
// early t is: from Friday 2026-10-09 at 09:00, one working day is Saturday
// 2026-10-10 (a make-up working day) at 18:00. With n = 0 it is the end of
// t's date if that is a working day, else the end of the next working day,
// even when t is already past 18:00. A negative n counts back: the |n|th
// working day before t's date.
func (c *Calendar) AddWorkdays(t time.Time, n int) time.Time {
	d := dayOf(t)
	if n == 0 {
		for !c.isWorkday(d) {
			d++
		}
		return d.at(EndOfBusinessHour)
	}
	step := day(1)
	if n < 0 {
		step, n = -1, -n
	}
	for n > 0 {
		d += step
		if c.isWorkday(d) {
			n--
		}
	}
	return d.at(EndOfBusinessHour)
}

// WorkdaysBetween counts the working days after a's date up to and including
// b's date, so WorkdaysBetween(t, AddWorkdays(t, n)) is n for every n > 0.
// When b's date is before a's the count is negative; on the same date it is
// 0.
func (c *Calendar) WorkdaysBetween(a, b time.Time) int {
	da, db := dayOf(a), dayOf(b)
	sign := 1
	if db < da {
		da, db, sign = db, da, -1
	}
	n := 0
	for d := da + 1; d <= db; d++ {
		if c.isWorkday(d) {
			n++
		}
	}
	return sign * n
}

// NextWorkday returns the start (00:00 China Standard Time) of the first
// working day after t's date.
func (c *Calendar) NextWorkday(t time.Time) time.Time {
	d := dayOf(t) + 1
	for !c.isWorkday(d) {
		d++
	}
	return d.at(0)
}

// Covers reports whether the calendar has the published schedule of year.
func (c *Calendar) Covers(year int) bool {
	_, ok := c.years[year]
	return ok
}

// Years lists the years with a published schedule, in order.
func (c *Calendar) Years() []int {
	out := make([]int, 0, len(c.years))
	for y := range c.years {
		out = append(out, y)
	}
	slices.Sort(out)
	return out
}

// MissingYears lists, in order, the years from from's to to's (China
// Standard Time, both included, in either order) that have no schedule and
// would be counted by weekends only.
func (c *Calendar) MissingYears(from, to time.Time) []int {
	a, b := from.In(chinaTime).Year(), to.In(chinaTime).Year()
	if b < a {
		a, b = b, a
	}
	var out []int
	for y := a; y <= b; y++ {
		if !c.Covers(y) {
			out = append(out, y)
		}
	}
	return out
}

func (c *Calendar) isWorkday(d day) bool {
	y := d.year()
	s, ok := c.years[y]
	if !ok {
		c.warnUncovered(y)
		return !d.weekend()
	}
	if _, off := s.holidays[d]; off {
		return false
	}
	if _, on := s.makeup[d]; on {
		return true
	}
	return !d.weekend()
}

func (c *Calendar) warnUncovered(year int) {
	if _, done := c.warned.LoadOrStore(year, struct{}{}); done {
		return
	}
	logger := c.logger
	if logger == nil {
		logger = slog.Default()
	}
	logger.Warn(fmt.Sprintf("working-day calendar has no schedule for year %d; counting weekends only", year),
		"year", year, "covered_years", c.Years())
}

// day is a civil date as days since 1970-01-01.
type day int64

func dayOf(t time.Time) day {
	y, m, d := t.In(chinaTime).Date()
	return civil(y, m, d)
}

func civil(y int, m time.Month, d int) day {
	return day(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / (24 * 60 * 60))
}

func (d day) utc() time.Time { return time.Unix(int64(d)*24*60*60, 0).UTC() }

func (d day) year() int { return d.utc().Year() }

func (d day) weekday() time.Weekday { return d.utc().Weekday() }

func (d day) weekend() bool {
	w := d.weekday()
	return w == time.Saturday || w == time.Sunday
}

// at is the given hour of the day in China Standard Time.
func (d day) at(hour int) time.Time {
	y, m, dd := d.utc().Date()
	return time.Date(y, m, dd, hour, 0, 0, 0, chinaTime)
}

func (d day) String() string { return d.utc().Format(time.DateOnly) }
