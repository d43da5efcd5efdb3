package forms

import (
	"strconv"
	"time"

	"github.com/google/uuid"
)

// ServiceLines are the six services (六项服务) in their fixed order.
var ServiceLines = []string{"needs_assessment", "resource_linking", "social_assistance", "elderly_child_care", "community_governance", "industry_development"}

// Beneficiaries counts the people a piece of work reached, by group.
type Beneficiaries struct {
	Elderly  int `json:"elderly" validate:"gte=0,lte=100000"`
	Children int `json:"children" validate:"gte=0,lte=100000"`
	Disabled int `json:"disabled" validate:"gte=0,lte=100000"`
	Hardship int `json:"hardship" validate:"gte=0,lte=100000"`
}

// Sum is the number of people reached in all groups.
func (b Beneficiaries) Sum() int { return b.Elderly + b.Children + b.Disabled + b.Hardship }

// ServiceRecord is one piece of work a station did. It holds counts only:
// no resident's name is ever needed.
type ServiceRecord struct {
	Date           string        `json:"date" validate:"required,datetime=2006-01-02"`
	ServiceLine    string        `json:"service_line" validate:"required,oneof=needs_assessment resource_linking social_assistance elderly_child_care community_governance industry_development"`
	ActivityType   string        `json:"activity_type" validate:"required,max=64"`
	Beneficiaries  Beneficiaries `json:"beneficiaries"`
	Volunteers     int           `json:"volunteers" validate:"gte=0,lte=100000"`
	VolunteerHours float64       `json:"volunteer_hours" validate:"gte=0,lte=1000000"`
	ResourcesYuan  float64       `json:"resources_yuan" validate:"gte=0,lte=10000000000,fen"`
	Cases          int           `json:"cases" validate:"gte=0,lte=100000"`
	// ProjectID names the station's project the work belongs to, if any.
	ProjectID *uuid.UUID `json:"project_id,omitempty"`
}

// ServiceRecordBatch is a JSON batch of service records.
type ServiceRecordBatch struct {
	Records []ServiceRecord `json:"records" validate:"required,min=1,max=5000,dive"`
}

// EarliestServiceDate is the first day a service record may be dated.
var EarliestServiceDate = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// CSVColumns are the columns of a service-record import, in this order.
var CSVColumns = []string{"date", "service_line", "activity_type", "beneficiaries_elderly", "beneficiaries_children",
	"beneficiaries_disabled", "beneficiaries_hardship", "volunteers", "volunteer_hours", "resources_yuan", "cases"}

// CheckServiceRecordBatch applies the shape rules to the batch and the
// record rules to each record (see CheckServiceRecord). Fields are named
// by their path in the batch, like "records[3].date".
func CheckServiceRecordBatch(b ServiceRecordBatch, today time.Time) Errors {
	errs := Check(b)
	for i, r := range b.Records {
		prefix := "records[" + strconv.Itoa(i) + "]."
		for _, e := range recordRules(r, today) {
			e.Field = prefix + e.Field
			errs = append(errs, e)
		}
	}
	return errs
}

// CheckServiceRecord applies the shape rules and the record rules to one
// record, naming fields without a prefix ("date"): a record may not be
// dated after today or before 2000-01-01, and volunteer hours need
// volunteers.
func CheckServiceRecord(r ServiceRecord, today time.Time) Errors {
	return append(Check(r), recordRules(r, today)...)
}

// recordRules are the rules the tags cannot say. A date the tags refuse is
// not judged again here.
func recordRules(r ServiceRecord, today time.Time) Errors {
	var errs Errors
	if d, err := time.Parse(time.DateOnly, r.Date); err == nil {
		last := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
		switch {
		case d.After(last):
			errs = append(errs, FieldError{Field: "date", Message: "must not be in the future (today is " + last.Format(time.DateOnly) + ")"})
		case d.Before(EarliestServiceDate):
			errs = append(errs, FieldError{Field: "date", Message: "must not be before 2000-01-01"})
		}
	}
	if r.VolunteerHours > 0 && r.Volunteers == 0 {
		errs = append(errs, FieldError{Field: "volunteer_hours", Message: "need at least one volunteer to be recorded"})
	}
	return errs
}

// ProjectMessage refuses a project_id that names no project of the
// record's station.
const ProjectMessage = "不是本站点的项目 / is not a project of this station"

// CheckRecordProjects names, as records[i].project_id, each record of a
// batch whose project is not among the station's own.
func CheckRecordProjects(recs []ServiceRecord, own map[uuid.UUID]bool) Errors {
	var errs Errors
	for i, r := range recs {
		if r.ProjectID != nil && !own[*r.ProjectID] {
			errs = append(errs, FieldError{Field: "records[" + strconv.Itoa(i) + "].project_id", Message: ProjectMessage})
		}
	}
	return errs
}
