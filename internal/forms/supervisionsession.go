package forms

import "time"

// MaxSessionMinutes bounds an internal supervision session: twelve hours.
const MaxSessionMinutes = 720

// SupervisionSession is an internal supervision session (内部督导) as the
// operating organisation records it: the day, its length in whole
// minutes, the roster entry of the supervisor (post internal_supervisor),
// the roster entries of the staff supervised and the topic.
type SupervisionSession struct {
	Date         string   `json:"date" validate:"required,datetime=2006-01-02"`
	Minutes      *int     `json:"minutes" validate:"required,gt=0,lte=720"`
	SupervisorID string   `json:"supervisor_id" validate:"required,uuid"`
	StaffIDs     []string `json:"staff_ids" validate:"required,min=1,max=50,unique,dive,uuid"`
	Topic        string   `json:"topic" validate:"required,max=200,name"`
}

// CheckSupervisionSession applies the shape rules and the day's: from
// 2000-01-01 up to today. Whom it names is checked against the roster.
func CheckSupervisionSession(x SupervisionSession, today time.Time) Errors {
	errs := Check(x)
	if d, err := time.Parse(time.DateOnly, x.Date); err == nil {
		errs = append(errs, dayRule("date", d, today)...)
	}
	return errs
}
