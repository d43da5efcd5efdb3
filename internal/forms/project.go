package forms

import "time"

// FunderKinds are the kinds of funder a project's money comes from, the
// departments and bodies a station integrates resources from (资源整合):
// civil affairs (民政), community governance (社治), the women's federation
// (妇联), the youth league (团委), the disabled persons' federation (残联),
// the charity federation (慈善会), foundations (基金会), enterprises (企业)
// and other (其他).
var FunderKinds = []string{"civil_affairs", "community_governance", "womens_federation", "youth_league",
	"disabled_persons_federation", "charity_federation", "foundation", "enterprise", "other"}

// MaxProjectFen bounds a project's amount: ten billion yuan, in fen.
const MaxProjectFen = 1_000_000_000_000

// Project is a project (民生项目) a station runs with one funder's money.
// The amount is in whole fen, never a float.
type Project struct {
	Name          string   `json:"name" validate:"required,max=200,name"`
	ServiceLines  []string `json:"service_lines" validate:"required,min=1,max=6,unique,dive,oneof=needs_assessment resource_linking social_assistance elderly_child_care community_governance industry_development"`
	FunderKind    string   `json:"funder_kind" validate:"required,oneof=civil_affairs community_governance womens_federation youth_league disabled_persons_federation charity_federation foundation enterprise other"`
	FunderName    string   `json:"funder_name" validate:"required,max=200,name"`
	AmountFen     *int64   `json:"amount_fen" validate:"required,gt=0,lte=1000000000000"`
	StartDate     string   `json:"start_date" validate:"required,datetime=2006-01-02"`
	EndDate       string   `json:"end_date" validate:"required,datetime=2006-01-02"`
	Beneficiaries *int     `json:"beneficiaries" validate:"required,gte=0,lte=10000000"`
}

// CheckProject applies the shape rules and the period's: it ends on or
// after its start, and starts no earlier than 2000-01-01.
func CheckProject(p Project) Errors {
	errs := Check(p)
	start, err1 := time.Parse(time.DateOnly, p.StartDate)
	end, err2 := time.Parse(time.DateOnly, p.EndDate)
	if err1 == nil && start.Before(EarliestServiceDate) {
		errs = append(errs, FieldError{Field: "start_date", Message: "项目不能早于 2000-01-01 开始 / must not be before 2000-01-01"})
	}
	if err1 == nil && err2 == nil && end.Before(start) {
		errs = append(errs, FieldError{Field: "end_date", Message: "项目结束日期不能早于开始日期 / must not be before start_date"})
	}
	return errs
}
