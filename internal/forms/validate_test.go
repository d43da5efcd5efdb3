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
