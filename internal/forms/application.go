package forms

import (
	"time"

	"github.com/stationflow/stationflow/internal/codes"
)

// StaffMember is one person in an application's staffing plan. The name is
// personal data: it is stored in PostgreSQL and travels only in encrypted
// payloads.
type StaffMember struct {
	Name          string `json:"name" validate:"required,max=100,name"`
	Employment    string `json:"employment" validate:"required,oneof=full_time part_time"`
	Qualification string `json:"qualification" validate:"required,oneof=assistant intermediate senior none"`
}

// Targets are a year's targets for the six services (六项服务): counts of
// people or actions, except resource_linking, which is in yuan.
type Targets struct {
	NeedsAssessment     *int64 `json:"needs_assessment" validate:"required,gte=0,lte=100000000"`
	ResourceLinking     *int64 `json:"resource_linking" validate:"required,gte=0,lte=100000000000"`
	SocialAssistance    *int64 `json:"social_assistance" validate:"required,gte=0,lte=100000000"`
	ElderlyChildCare    *int64 `json:"elderly_child_care" validate:"required,gte=0,lte=100000000"`
	CommunityGovernance *int64 `json:"community_governance" validate:"required,gte=0,lte=100000000"`
	IndustryDevelopment *int64 `json:"industry_development" validate:"required,gte=0,lte=100000000"`
}

// Document is a file sent with an application, base64 in the JSON body.
type Document struct {
	Filename    string `json:"filename" validate:"required,max=200,name"`
	ContentType string `json:"content_type" validate:"required,oneof=application/pdf image/jpeg image/png"`
	Content     []byte `json:"content_base64" validate:"required,max=5242880"`
}

// Limits on an application's documents.
const (
	MaxDocuments     = 10
	MaxDocumentBytes = 5 << 20
)

// Application is what an operating organisation files to run a station,
// and what it files again when the office returns it for amendment.
type Application struct {
	Staffing   []StaffMember `json:"staffing" validate:"required,min=1,max=200,dive"`
	Targets    Targets       `json:"targets" validate:"required"`
	BudgetYuan *float64      `json:"budget_yuan" validate:"required,gt=0,lte=100000000,fen"`
	Documents  []Document    `json:"documents" validate:"max=10,dive"`
}

// CheckApplication runs the shape rules and then the completeness and
// qualification rules for a station of the given level under the default
// staffing rule (DefaultStaffingRules). It returns every reason at once.
func CheckApplication(a Application, level codes.StationLevel) Errors {
	return CheckApplicationUnder(a, level, DefaultStaffingRules[level])
}

// CheckApplicationUnder is CheckApplication under the staffing rule that
// holds for the station's region (a province may set a stricter one).
func CheckApplicationUnder(a Application, level codes.StationLevel, rule StaffingRule) Errors {
	errs := Check(a)
	if len(errs) > 0 {
		return errs
	}
	errs = append(errs, CheckStaffing(rule, level, PlanStaffing(a.Staffing))...)
	errs = append(errs, checkDocuments(a.Documents)...)
	t := a.Targets
	if *t.NeedsAssessment+*t.ResourceLinking+*t.SocialAssistance+*t.ElderlyChildCare+*t.CommunityGovernance+*t.IndustryDevelopment == 0 {
		errs = append(errs, FieldError{Field: "targets", Message: "a service plan needs a target above zero in at least one service line"})
	}
	return errs
}

// PlanStaffing counts a staffing plan's qualified workers.
func PlanStaffing(plan []StaffMember) Staffing {
	var s Staffing
	for _, m := range plan {
		switch {
		case m.Qualification == "none":
		case m.Employment == "full_time":
			s.FullTimeQualified++
		case m.Employment == "part_time":
			s.PartTimeQualified++
		}
	}
	return s
}

// Review decisions.
const (
	DecisionApprove = "approve"
	DecisionReject  = "reject"
	DecisionAmend   = "amend"
)

// Term is a contract's term; dates are YYYY-MM-DD.
type Term struct {
	Start string `json:"start" validate:"required,datetime=2006-01-02"`
	End   string `json:"end" validate:"required,datetime=2006-01-02"`
}

// ReviewDecision is the office's answer to an application.
type ReviewDecision struct {
	Decision string `json:"decision" validate:"required,oneof=approve reject amend"`
	Reasons  string `json:"reasons" validate:"max=4000"`
	Term     *Term  `json:"term"`
}

// CheckReviewDecision: rejecting or returning for amendment needs reasons;
// a term belongs to an approval and must end after it starts.
func CheckReviewDecision(d ReviewDecision) Errors {
	errs := Check(d)
	if len(errs) > 0 {
		return errs
	}
	if d.Decision != DecisionApprove && d.Reasons == "" {
		errs = append(errs, FieldError{Field: "reasons", Message: "are required to " + d.Decision})
	}
	if d.Term != nil {
		if d.Decision != DecisionApprove {
			errs = append(errs, FieldError{Field: "term", Message: "belongs to an approval only"})
		}
		start, _ := time.Parse(time.DateOnly, d.Term.Start)
		end, _ := time.Parse(time.DateOnly, d.Term.End)
		if !end.After(start) {
			errs = append(errs, FieldError{Field: "term.end", Message: "must come after term.start"})
		}
	}
	return errs
}
