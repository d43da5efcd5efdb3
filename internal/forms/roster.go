package forms

import (
	"regexp"
	"time"
)

// Roster posts (岗位).
const (
	PostHead                 = "head"                  // 站长
	PostFullTime             = "full_time"             // 专职社工
	PostPartTime             = "part_time"             // 兼职社工
	PostInternalSupervisor   = "internal_supervisor"   // 督导, employed by the operator
	PostVolunteerCoordinator = "volunteer_coordinator" // 志愿者 coordinator
	PostOther                = "other"
)

// RosterPosts are the posts, in the order a roster shows them.
var RosterPosts = []string{PostHead, PostFullTime, PostPartTime, PostInternalSupervisor, PostVolunteerCoordinator, PostOther}

// RosterEntry is one member of staff as the operating organisation adds
// them to a station's roster: a person record of theirs (PersonID) or a
// name (personal data: stored in PostgreSQL only). A qualification
// (assistant 助理社会工作师, intermediate 社会工作师, senior 高级社会工作师)
// needs the certificate's number; none has none.
type RosterEntry struct {
	PersonID      string `json:"person_id" validate:"omitempty,uuid"`
	Name          string `json:"name" validate:"max=100,omitempty,name"`
	Post          string `json:"post" validate:"required,oneof=head full_time part_time internal_supervisor volunteer_coordinator other"`
	Qualification string `json:"qualification" validate:"required,oneof=assistant intermediate senior none"`
	CertificateNo string `json:"certificate_no" validate:"max=32"`
	JoinedOn      string `json:"joined_on" validate:"required,datetime=2006-01-02"`
}

// RosterLeave records the last day a member of staff worked at the station.
type RosterLeave struct {
	LeftOn string `json:"left_on" validate:"required,datetime=2006-01-02"`
}

// certificateNo is the form of a certificate number as stored: 6 to 32
// capital letters and digits (the national 职业水平证书 numbers are digits,
// some with a letter prefix).
var certificateNo = regexp.MustCompile(`^[A-Z0-9]{6,32}$`)

// CheckRosterEntry applies the shape rules and then: a person or a name
// (not both), a certificate number exactly when qualified, and a joining
// day from 2000-01-01 up to today.
func CheckRosterEntry(e RosterEntry, today time.Time) Errors {
	errs := Check(e)
	if len(errs) > 0 {
		return errs
	}
	switch {
	case e.PersonID == "" && e.Name == "":
		errs = append(errs, FieldError{Field: "name", Message: "需要姓名或人员记录 / is required when no person_id is given"})
	case e.PersonID != "" && e.Name != "":
		errs = append(errs, FieldError{Field: "name", Message: "已有人员记录时不填姓名 / must be empty when person_id names the person"})
	}
	switch {
	case e.Qualification != "none" && !certificateNo.MatchString(e.CertificateNo):
		errs = append(errs, FieldError{Field: "certificate_no", Message: "持证者需填写证书编号（6至32位大写字母或数字） / is required with a qualification: 6 to 32 capital letters or digits"})
	case e.Qualification == "none" && e.CertificateNo != "":
		errs = append(errs, FieldError{Field: "certificate_no", Message: "未持证者不填证书编号 / must be empty without a qualification"})
	}
	d, _ := time.Parse(time.DateOnly, e.JoinedOn)
	errs = append(errs, dayRule("joined_on", d, today)...)
	return errs
}

// CheckRosterLeave: the left day lies from the joining day up to today.
func CheckRosterLeave(l RosterLeave, joined, today time.Time) Errors {
	errs := Check(l)
	if len(errs) > 0 {
		return errs
	}
	d, _ := time.Parse(time.DateOnly, l.LeftOn)
	if d.Before(joined) {
		return Errors{{Field: "left_on", Message: "离岗日期不得早于入职日期 " + joined.Format(time.DateOnly) + " / must not be before joined_on"}}
	}
	return dayRule("left_on", d, today)
}

func dayRule(field string, d, today time.Time) Errors {
	last := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
	switch {
	case d.After(last):
		return Errors{{Field: field, Message: "不得晚于今天 / must not be in the future (today is " + last.Format(time.DateOnly) + ")"}}
	case d.Before(EarliestServiceDate):
		return Errors{{Field: field, Message: "不得早于2000-01-01 / must not be before 2000-01-01"}}
	}
	return nil
}

// CountsAsStaffing reports whether an entry counts toward the staffing
// rule, and as what: a qualified full-time (the station head counts as
// full-time) or part-time social worker.
func CountsAsStaffing(post, qualification string) (fullTime, partTime bool) {
	if qualification == "none" {
		return false, false
	}
	return post == PostFullTime || post == PostHead, post == PostPartTime
}
