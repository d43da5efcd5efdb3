package forms

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// RectificationResponse is the operating organisation's answer to a
// rectification item (整改): what it changed, with the evidence it cites.
type RectificationResponse struct {
	Response    string   `json:"response" validate:"required,max=5000"`
	EvidenceIDs []string `json:"evidence_ids" validate:"max=20,dive,uuid"`
}

// CheckRectificationResponse applies the shape rules and asks for a
// response a verifier can judge.
func CheckRectificationResponse(r RectificationResponse) Errors {
	errs := Check(r)
	if len(errs) == 0 && utf8.RuneCountInString(r.Response) < 10 {
		errs = append(errs, FieldError{Field: "response", Message: "must say what was changed, in at least 10 characters"})
	}
	return append(errs, repeatedIDs("evidence_ids", r.EvidenceIDs)...)
}

// RectificationVerification is the verifier's judgement of a response.
type RectificationVerification struct {
	Accepted *bool  `json:"accepted" validate:"required"`
	Comment  string `json:"comment" validate:"max=2000"`
}

// CheckRectificationVerification: refusing a response needs a comment that
// says what is still missing.
func CheckRectificationVerification(v RectificationVerification) Errors {
	errs := Check(v)
	if v.Accepted != nil && !*v.Accepted && utf8.RuneCountInString(v.Comment) < 10 {
		errs = append(errs, FieldError{Field: "comment", Message: "a refusal must say what is still missing, in at least 10 characters"})
	}
	return errs
}

// CloseReason is why an office closes a task nobody will complete, such as
// a quarter whose supervision was missed.
type CloseReason struct {
	Reason string `json:"reason" validate:"required,min=10,max=2000"`
}

// repeatedIDs names each ID cited again; IDs are compared as UUIDs, so a
// different letter case is the same ID.
func repeatedIDs(field string, ids []string) Errors {
	seen := map[string]bool{}
	var errs Errors
	for i, id := range ids {
		key := strings.ToLower(id)
		if seen[key] {
			errs = append(errs, FieldError{Field: field + "[" + strconv.Itoa(i) + "]", Message: "is cited twice"})
		}
		seen[key] = true
	}
	return errs
}
