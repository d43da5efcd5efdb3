package forms

import "unicode/utf8"

// RenewalDecision is the office's decision on a station's operator after
// the annual evaluation. Departing from the proposed outcome needs a
// reason; a conditional renewal gives the working days the open items
// must be closed in.
type RenewalDecision struct {
	Decision              string `json:"decision" validate:"required,oneof=renew conditional_renew exit"`
	Reason                string `json:"reason" validate:"max=2000"`
	ConditionsDueWorkdays int    `json:"conditions_due_workdays" validate:"omitempty,min=1,max=120"`
}

// CheckRenewalDecision applies the shape rules and asks for a reason of at
// least 10 characters when the decision is not the proposal.
func CheckRenewalDecision(d RenewalDecision, proposal string) Errors {
	errs := Check(d)
	if len(errs) > 0 {
		return errs
	}
	if d.Decision != proposal && utf8.RuneCountInString(d.Reason) < 10 {
		errs = append(errs, FieldError{Field: "reason", Message: "the decision departs from the proposal (" + proposal + "): say why, in at least 10 characters"})
	}
	if d.ConditionsDueWorkdays != 0 && d.Decision != "conditional_renew" {
		errs = append(errs, FieldError{Field: "conditions_due_workdays", Message: "only a conditional renewal has conditions"})
	}
	return errs
}

// Appeal is an operating organisation's appeal (申诉) against a decision.
type Appeal struct {
	Reason string `json:"reason" validate:"required,min=10,max=5000"`
}

// AppealReview is the next-level office's answer to an appeal: uphold the
// decision, or change it to another outcome.
type AppealReview struct {
	Outcome  string `json:"outcome" validate:"required,oneof=uphold change"`
	Decision string `json:"decision" validate:"required_if=Outcome change,omitempty,oneof=renew conditional_renew exit"`
	Reason   string `json:"reason" validate:"required,min=10,max=2000"`
}

// CheckAppealReview applies the shape rules; a change must name an outcome
// other than the one appealed, and upholding names none.
func CheckAppealReview(r AppealReview, appealed string) Errors {
	errs := Check(r)
	if len(errs) > 0 {
		return errs
	}
	switch {
	case r.Outcome == "change" && r.Decision == appealed:
		errs = append(errs, FieldError{Field: "decision", Message: "is the decision appealed (" + appealed + "); upholding it is outcome uphold"})
	case r.Outcome == "uphold" && r.Decision != "":
		errs = append(errs, FieldError{Field: "decision", Message: "upholding keeps the decision; leave decision out"})
	}
	return errs
}

// Arbitration is the office's ruling when evaluators disagree: the total
// it sets, why, and the disputed indicators it confirms as failed.
type Arbitration struct {
	Total  *float64 `json:"total" validate:"required,min=0,max=100"`
	Reason string   `json:"reason" validate:"required,min=10,max=2000"`
	// ConfirmedFailures are the indicators, among those some but not most
	// evaluators failed, that the office confirms as failed.
	ConfirmedFailures []string `json:"confirmed_failures" validate:"omitempty,max=100,dive,required,max=100"`
}
