// Package cursor makes the page cursors of stationflow's lists opaque and
// authenticated. A cursor carries the key of the last item of a page,
// versioned and compact, with an HMAC-SHA256 tag over the key and the scope
// it was issued for: the list (its path) and the filters of the request.
// A cursor the server did not seal, one altered or cut short, one sealed
// under another key, and one sealed for another list or other filters all
// fail to open, alike.
package cursor

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/google/uuid"
)

// version is the first byte of every cursor; a new layout takes a new
// version, and cursors of an old one stop opening.
const version byte = 1

// Sizes of a cursor's parts, in bytes before encoding: version, the last
// key, and the tag (HMAC-SHA256 cut to 128 bits).
const (
	keySize = 16
	tagSize = 16
	rawSize = 1 + keySize + tagSize
)

// Len is the length of every cursor as text.
var Len = encoding.EncodedLen(rawSize)

// encoding is the URL-safe alphabet without padding, strict so that only
// the one spelling Seal writes decodes.
var encoding = base64.RawURLEncoding.Strict()

// ErrInvalid is the one answer for every cursor that does not open, so
// that a refusal tells a forger nothing.
var ErrInvalid = errors.New("cursor is not one this server issued for this list")

// label separates the cursor's tags from every other use of the key.
const label = "stationflow list cursor\x00"

// Sealer seals and opens cursors with one secret key.
type Sealer struct {
	key []byte
}

// New is a Sealer with key, which should be at least 32 bytes of secret.
func New(key []byte) (Sealer, error) {
	if len(key) < 32 {
		return Sealer{}, fmt.Errorf("a cursor key is at least 32 bytes, got %d", len(key))
	}
	return Sealer{key: append([]byte(nil), key...)}, nil
}

// Random is a Sealer with a new random key: its cursors open only in the
// process that made it.
func Random() Sealer {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		panic("cursor: no randomness: " + err.Error()) // crypto/rand does not fail on supported systems
	}
	return Sealer{key: key}
}

// Seal is the cursor of the page after the one whose last key is after,
// bound to scope.
func (s Sealer) Seal(scope string, after uuid.UUID) string {
	raw := make([]byte, 0, rawSize)
	raw = append(raw, version)
	raw = append(raw, after[:]...)
	raw = append(raw, s.tag(scope, raw)...)
	return encoding.EncodeToString(raw)
}

// Open verifies cursor against scope and answers the key it carries, or
// ErrInvalid.
func (s Sealer) Open(scope, cursor string) (uuid.UUID, error) {
	if len(s.key) == 0 || len(cursor) != Len {
		return uuid.Nil, ErrInvalid
	}
	raw, err := encoding.DecodeString(cursor)
	if err != nil || len(raw) != rawSize || raw[0] != version {
		return uuid.Nil, ErrInvalid
	}
	body, tag := raw[:1+keySize], raw[1+keySize:]
	if !hmac.Equal(tag, s.tag(scope, body)) {
		return uuid.Nil, ErrInvalid
	}
	id, err := uuid.FromBytes(body[1:])
	if err != nil {
		return uuid.Nil, ErrInvalid
	}
	return id, nil
}

// tag is the HMAC-SHA256, cut to tagSize, of the label, the scope (its
// length first, so no two scopes and bodies run together alike) and body.
func (s Sealer) tag(scope string, body []byte) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(label))
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(scope)))
	m.Write(n[:])
	m.Write([]byte(scope))
	m.Write(body)
	return m.Sum(nil)[:tagSize]
}
