package store

import (
	"encoding/base64"
	"errors"

	"github.com/google/uuid"
)

// Page asks for one page of a keyset-paginated list.
type Page struct {
	Limit  int
	Cursor string // opaque; empty for the first page
}

// DefaultPageSize and MaxPageSize bound every list.
const (
	DefaultPageSize = 50
	MaxPageSize     = 500
)

// ErrBadCursor is returned for a cursor this store did not issue.
var ErrBadCursor = errors.New("cursor is not one this server issued")

func (p Page) limit() int {
	switch {
	case p.Limit <= 0:
		return DefaultPageSize
	case p.Limit > MaxPageSize:
		return MaxPageSize
	}
	return p.Limit
}

// after decodes the cursor into the last key of the previous page.
func (p Page) after() (string, error) {
	if p.Cursor == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(p.Cursor)
	if err != nil {
		return "", ErrBadCursor
	}
	if _, err := uuid.ParseBytes(b); err != nil {
		return "", ErrBadCursor
	}
	return string(b), nil
}

func encodeCursor(key string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(key))
}

// List is one page of results with the cursor of the next, if any.
type List[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

// pageOf trims the one extra row a query fetched to learn whether another
// page follows, and builds the next cursor from the last item's key.
func pageOf[T any](items []T, limit int, key func(T) string) List[T] {
	if items == nil {
		items = []T{}
	}
	if len(items) <= limit {
		return List[T]{Items: items}
	}
	items = items[:limit]
	c := encodeCursor(key(items[len(items)-1]))
	return List[T]{Items: items, NextCursor: &c}
}
