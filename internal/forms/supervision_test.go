package forms

import "testing"

func fieldSet(errs Errors) map[string]bool {
	out := map[string]bool{}
	for _, e := range errs {
		out[e.Field] = true
	}
	return out
}

func TestRectificationResponseRules(t *testing.T) {
	good := RectificationResponse{Response: "two qualified workers were hired", EvidenceIDs: []string{"0192f5a4-8e8b-7c3a-9a10-3c1f0e2d4b5a"}}
	if errs := CheckRectificationResponse(good); len(errs) != 0 {
		t.Fatalf("a good response refused: %v", errs)
	}
	cases := map[string]struct {
		in    RectificationResponse
		field string
	}{
		"missing":     {RectificationResponse{}, "response"},
		"too short":   {RectificationResponse{Response: "done"}, "response"},
		"not an ID":   {RectificationResponse{Response: "two qualified workers", EvidenceIDs: []string{"photo.png"}}, "evidence_ids[0]"},
		"cited twice": {RectificationResponse{Response: "two qualified workers", EvidenceIDs: []string{good.EvidenceIDs[0], good.EvidenceIDs[0]}}, "evidence_ids[1]"},
	}
	for name, c := range cases {
		if errs := CheckRectificationResponse(c.in); !fieldSet(errs)[c.field] {
			t.Errorf("%s: %v, want an error on %s", name, errs, c.field)
		}
	}
}

func TestARefusedVerificationNeedsAComment(t *testing.T) {
	yes, no := true, false
	if errs := CheckRectificationVerification(RectificationVerification{Accepted: &yes}); len(errs) != 0 {
		t.Fatalf("an acceptance without comment refused: %v", errs)
	}
	if errs := CheckRectificationVerification(RectificationVerification{Accepted: &no, Comment: "no"}); !fieldSet(errs)["comment"] {
		t.Fatalf("a refusal with a two-letter comment: %v", errs)
	}
	if errs := CheckRectificationVerification(RectificationVerification{Accepted: &no, Comment: "the contract is still missing"}); len(errs) != 0 {
		t.Fatalf("a refusal with a comment refused: %v", errs)
	}
	if errs := CheckRectificationVerification(RectificationVerification{}); !fieldSet(errs)["accepted"] {
		t.Fatalf("no decision: %v", errs)
	}
}

func FuzzRectificationForms(f *testing.F) {
	f.Add([]byte(`{"response":"two qualified workers were hired","evidence_ids":["0192f5a4-8e8b-7c3a-9a10-3c1f0e2d4b5a"]}`))
	f.Add([]byte(`{"accepted":false,"comment":""}`))
	f.Add([]byte(`{"reason":"x"}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		var r RectificationResponse
		if err := DecodeStrictBytes(raw, &r); err == nil {
			for _, e := range CheckRectificationResponse(r) {
				if e.Field == "" || e.Message == "" {
					t.Fatalf("a rule error names no field: %+v", e)
				}
			}
		} else if err.Field == "" {
			t.Fatalf("a decode error names no field: %+v", err)
		}
		var v RectificationVerification
		if err := DecodeStrictBytes(raw, &v); err == nil {
			for _, e := range CheckRectificationVerification(v) {
				if e.Field == "" || e.Message == "" {
					t.Fatalf("a rule error names no field: %+v", e)
				}
			}
		}
		var c CloseReason
		if err := DecodeStrictBytes(raw, &c); err == nil {
			for _, e := range Check(c) {
				if e.Field == "" {
					t.Fatalf("a rule error names no field: %+v", e)
				}
			}
		}
	})
}
