package forms

import (
	"testing"

	"github.com/google/uuid"
)

func TestATypeMismatchOnAnOptionalFieldSaysWhatItTakesInWords(t *testing.T) {
	var dst struct {
		OrganisationID *uuid.UUID `json:"organisation_id"`
		Count          *int64     `json:"count"`
		ID             uuid.UUID  `json:"id"`
	}
	for body, want := range map[string]string{
		`{"organisation_id": 5}`: "organisation_id: must be an ID string, not number",
		`{"count": "many"}`:      "count: must be a whole number, not string",
		`{"id": 7}`:              "id: must be an ID string, not number",
	} {
		if err := DecodeStrictBytes([]byte(body), &dst); err == nil || err.Error() != want {
			t.Errorf("%s: %v, want %q", body, err, want)
		}
	}
}

func TestAnIDThatDoesNotParseIsNamedByItsField(t *testing.T) {
	var dst struct {
		OrganisationID *uuid.UUID `json:"organisation_id"`
		Term           struct {
			Evidence []uuid.UUID `json:"evidence"`
		} `json:"term"`
	}
	for body, field := range map[string]string{
		`{"organisation_id": "not-a-uuid"}`:                                     "organisation_id",
		`{"term": {"evidence": ["0b6a6ff0-3c1e-4a7e-9a64-2f1f3b0c9d21", "x"]}}`: "term.evidence[1]",
	} {
		err := DecodeStrictBytes([]byte(body), &dst)
		if err == nil || err.Field != field {
			t.Errorf("%s: %v, want an error naming %s", body, err, field)
		}
	}
}

// Content that is no base64 fails in encoding/json's own decoding of
// bytes, which names no field: the refusal still names it.
func TestBytesThatAreNoBase64AreNamedByTheirField(t *testing.T) {
	var dst struct {
		ID        *uuid.UUID `json:"id"`
		Documents []struct {
			Content []byte `json:"content_base64"`
		} `json:"documents"`
	}
	for body, field := range map[string]string{
		`{"documents": [{"content_base64": "aGk="}, {"content_base64": "\u0000"}]}`: "documents[1].content_base64",
		`{"documents": [{"content_base64": "not base64!"}]}`:                        "documents[0].content_base64",
	} {
		err := DecodeStrictBytes([]byte(body), &dst)
		if err == nil || err.Field != field {
			t.Errorf("%s: %v, want an error naming %s", body, err, field)
		}
	}
}
