package usecase

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/forms"
	"github.com/stationflow/stationflow/internal/store"
)

// A person's own personal access tokens: made, listed and revoked by the
// person, acting as them through a subset of the grants the caller holds.

// NewTokenRequest is a personal token to make: its name, its lifetime in
// days (90 when 0, at most 366) and the grants it carries by ID (every
// grant the caller holds when empty).
type NewTokenRequest struct {
	Name        string      `json:"name" validate:"required,max=100,name"`
	ExpiresDays int         `json:"expires_days" validate:"min=0,max=366"`
	Grants      []uuid.UUID `json:"grants" validate:"max=16"`
}

// CreatedToken is a new personal token, its secret shown this once.
type CreatedToken struct {
	Token string          `json:"token"`
	Info  store.TokenInfo `json:"info"`
}

// person refuses a caller that is no person: a service token has no
// tokens, notifications or preferences of its own.
func person(who Caller) error {
	if who.AccountID == uuid.Nil {
		return forbidden("只有个人账户可以这样做，服务令牌不代表个人 / only a person's account may do this; a service token is no person")
	}
	return nil
}

// CreateMyToken makes a personal token for the calling person.
func (c *Cases) CreateMyToken(ctx context.Context, who Caller, in Input[NewTokenRequest]) (CreatedToken, error) {
	if err := person(who); err != nil {
		return CreatedToken{}, err
	}
	req, err := in()
	if err != nil {
		return CreatedToken{}, err
	}
	if msg := forms.CheckText(req.Name); msg != "" {
		return CreatedToken{}, invalid("the name holds text stationflow cannot store", forms.FieldError{Field: "name", Message: msg})
	}
	grants := req.Grants
	for _, id := range grants {
		if !slices.ContainsFunc(who.Grants, func(g auth.Grant) bool { return g.ID == id }) {
			return CreatedToken{}, invalid("a token carries only grants the caller holds",
				forms.FieldError{Field: "grants", Message: "只能包含本次请求持有的授权 / may hold only grants this caller holds"})
		}
	}
	if len(grants) == 0 {
		for _, g := range who.Grants {
			grants = append(grants, g.ID)
		}
	}
	ttl := time.Duration(req.ExpiresDays) * 24 * time.Hour
	token, info, err := c.Store.CreateAccountToken(ctx, who.Actor(), who.AccountID, req.Name, ttl, grants)
	if err != nil {
		return CreatedToken{}, storeRefusal(err)
	}
	return CreatedToken{Token: token, Info: info}, nil
}

// MyTokens lists the calling person's live tokens.
func (c *Cases) MyTokens(ctx context.Context, who Caller) ([]store.PersonalToken, error) {
	if err := person(who); err != nil {
		return nil, err
	}
	return c.Store.AccountTokens(ctx, who.AccountID)
}

// RevokeMyToken revokes one of the calling person's own tokens; anyone
// else's is not found, its own revoked already a conflict.
func (c *Cases) RevokeMyToken(ctx context.Context, who Caller, id string) error {
	if err := person(who); err != nil {
		return err
	}
	tokenID, err := parseID("token", id)
	if err != nil {
		return err
	}
	err = c.Store.RevokeAccountToken(ctx, who.Actor(), who.AccountID, tokenID)
	if errors.Is(err, store.ErrNotFound) {
		return NotFound("token")
	}
	return storeRefusal(err)
}
