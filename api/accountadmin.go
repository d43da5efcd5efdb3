package api

import (
	"net/http"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/store"
	"github.com/stationflow/stationflow/internal/usecase"
)

// Who creates whom, over the API: accounts, their grants and their
// sign-in links. The rules are internal/usecase/accountadmin.go's.

func (s *Server) createAccount(w http.ResponseWriter, r *http.Request) error {
	created, err := s.cases().CreateAccount(r.Context(), principal(r), body[usecase.NewAccountRequest](w, r))
	return answer(w, http.StatusCreated, created, err)
}

// listAccounts lists the accounts the caller administers, in login order.
func (s *Server) listAccounts(w http.ResponseWriter, r *http.Request) error {
	list, err := s.cases().Accounts(r.Context(), principal(r), query(s, r, func(page store.Page) (usecase.AccountQuery, error) {
		q := usecase.AccountQuery{Page: page}
		var err error
		if q.State, err = optional(r, "state", "", oneOf(store.AccountActive, store.AccountDisabled)); err != nil {
			return q, err
		}
		roles := []string{string(auth.RoleAdmin), string(auth.RoleOffice), string(auth.RoleSupervisor), string(auth.RoleOrg)}
		if q.Role, err = optional(r, "role", "", oneOf(roles...)); err != nil {
			return q, err
		}
		q.Prefix, err = optional(r, "q", "", prefixParam(MaxPrefix))
		return q, err
	}))
	return answer(w, http.StatusOK, list.Sealed(s.sealFor(r)), err)
}

func (s *Server) getAccount(w http.ResponseWriter, r *http.Request) error {
	acc, err := s.cases().Account(r.Context(), principal(r), pathID(r))
	return answer(w, http.StatusOK, acc, err)
}

func (s *Server) disableAccount(w http.ResponseWriter, r *http.Request) error {
	acc, err := s.cases().SetAccountState(r.Context(), principal(r), pathID(r), store.AccountDisabled)
	return answer(w, http.StatusOK, acc, err)
}

func (s *Server) enableAccount(w http.ResponseWriter, r *http.Request) error {
	acc, err := s.cases().SetAccountState(r.Context(), principal(r), pathID(r), store.AccountActive)
	return answer(w, http.StatusOK, acc, err)
}

func (s *Server) accountResetLink(w http.ResponseWriter, r *http.Request) error {
	link, err := s.cases().ResetLink(r.Context(), principal(r), pathID(r))
	return answer(w, http.StatusCreated, link, err)
}

func (s *Server) addGrant(w http.ResponseWriter, r *http.Request) error {
	g, err := s.cases().AddGrant(r.Context(), principal(r), pathID(r), body[usecase.GrantRequest](w, r))
	return answer(w, http.StatusCreated, g, err)
}

func (s *Server) removeGrant(w http.ResponseWriter, r *http.Request) error {
	if err := s.cases().RemoveGrant(r.Context(), principal(r), pathID(r), muxVar(r, "grant")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// createMyToken makes a personal token for the calling person; the answer
// shows its secret this once.
func (s *Server) createMyToken(w http.ResponseWriter, r *http.Request) error {
	created, err := s.cases().CreateMyToken(r.Context(), principal(r), body[usecase.NewTokenRequest](w, r))
	return answer(w, http.StatusCreated, created, err)
}

func (s *Server) listMyTokens(w http.ResponseWriter, r *http.Request) error {
	tokens, err := s.cases().MyTokens(r.Context(), principal(r))
	return answer(w, http.StatusOK, map[string]any{"items": tokens}, err)
}

func (s *Server) revokeMyToken(w http.ResponseWriter, r *http.Request) error {
	if err := s.cases().RevokeMyToken(r.Context(), principal(r), pathID(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
