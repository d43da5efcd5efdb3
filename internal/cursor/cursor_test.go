package cursor

import (
	"bytes"
	"encoding/base64"
	"errors"
	"testing"

	"github.com/google/uuid"
)

func sealer(t testing.TB, b byte) Sealer {
	t.Helper()
	s, err := New(bytes.Repeat([]byte{b}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestCursorRoundTripAndRefusals(t *testing.T) {
	s, other := sealer(t, 1), sealer(t, 2)
	id := uuid.MustParse("0190b7c2-8f1e-7c3a-9d2b-5e6f7a8b9c0d")
	scope := "/v1/stations?level=township_station"
	c := s.Seal(scope, id)
	if len(c) != Len || len(c) > 48 {
		t.Fatalf("cursor %q is %d long, want %d", c, len(c), Len)
	}
	if got, err := s.Open(scope, c); err != nil || got != id {
		t.Fatalf("Open(Seal) = %v, %v; want %v", got, err, id)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(c)
	flipped := append([]byte(nil), raw...)
	flipped[5] ^= 1
	v2 := append([]byte(nil), raw...)
	v2[0] = 2
	plain := base64.RawURLEncoding.EncodeToString([]byte(id.String()))
	refused := map[string]struct{ scope, cursor string }{
		"another list":         {"/v1/people", c},
		"other filters":        {"/v1/stations?level=county_station", c},
		"no filters":           {"/v1/stations", c},
		"cut short":            {scope, c[:len(c)-1]},
		"one byte longer":      {scope, c + "A"},
		"key altered":          {scope, base64.RawURLEncoding.EncodeToString(flipped)},
		"another version":      {scope, base64.RawURLEncoding.EncodeToString(v2)},
		"sealed with another":  {scope, other.Seal(scope, id)},
		"the key in the clear": {scope, plain},
		"empty":                {scope, ""},
	}
	for name, tc := range refused {
		if got, err := s.Open(tc.scope, tc.cursor); !errors.Is(err, ErrInvalid) || got != uuid.Nil {
			t.Errorf("%s: Open = %v, %v; want ErrInvalid", name, got, err)
		}
	}
	if _, err := (Sealer{}).Open(scope, c); !errors.Is(err, ErrInvalid) {
		t.Errorf("the zero Sealer opened a cursor: %v", err)
	}
	if _, err := New(make([]byte, 16)); err == nil {
		t.Error("New took a 16-byte key")
	}
	if a, b := Random(), Random(); bytes.Equal(a.key, b.key) {
		t.Error("two random sealers share a key")
	}
}

// FuzzCursorOpen: no input panics Open, and only what Seal wrote for the
// scope opens; what opens seals again to itself.
func FuzzCursorOpen(f *testing.F) {
	s := sealer(f, 7)
	id := uuid.MustParse("0190b7c2-8f1e-7c3a-9d2b-5e6f7a8b9c0d")
	good := s.Seal("/v1/stations", id)
	f.Add("/v1/stations", good)
	f.Add("/v1/people", good)
	f.Add("/v1/stations", good[:len(good)-2]+"AA")
	f.Add("", "")
	f.Add("/v1/stations", "MDE5MGI3YzItOGYxZS03YzNhLTlkMmItNWU2ZjdhOGI5YzBk")
	f.Fuzz(func(t *testing.T, scope, c string) {
		got, err := s.Open(scope, c)
		if err != nil {
			if !errors.Is(err, ErrInvalid) || got != uuid.Nil {
				t.Fatalf("Open(%q, %q) = %v, %v", scope, c, got, err)
			}
			return
		}
		if s.Seal(scope, got) != c {
			t.Fatalf("Open(%q, %q) opened a cursor Seal did not write", scope, c)
		}
	})
}

// FuzzCursorRoundTrip: every key sealed for any scope opens to itself
// there and nowhere else tried.
func FuzzCursorRoundTrip(f *testing.F) {
	s := sealer(f, 9)
	f.Add([]byte("0123456789abcdef"), "/v1/tasks?kind=supervision")
	f.Add(make([]byte, 16), "")
	f.Fuzz(func(t *testing.T, key []byte, scope string) {
		id, err := uuid.FromBytes(append(key, make([]byte, 16)...)[:16])
		if err != nil {
			t.Fatal(err)
		}
		c := s.Seal(scope, id)
		if got, err := s.Open(scope, c); err != nil || got != id {
			t.Fatalf("round trip of %v under %q: %v, %v", id, scope, got, err)
		}
		if _, err := s.Open(scope+"x", c); err == nil {
			t.Fatalf("cursor of %q opened under %q", scope, scope+"x")
		}
	})
}
