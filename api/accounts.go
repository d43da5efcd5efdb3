package api

import (
	"errors"
	"net/http"

	"github.com/stationflow/stationflow/internal/forms"
	"github.com/stationflow/stationflow/internal/store"
	"github.com/stationflow/stationflow/internal/usecase"
)

// me answers the caller's account and grants.
func (s *Server) me(w http.ResponseWriter, r *http.Request) error {
	me, err := s.cases().Me(r.Context(), principal(r))
	return answer(w, http.StatusOK, me, err)
}

// auditTrail answers one page of the trail of ?subject=, an object the
// caller may see.
func (s *Server) auditTrail(w http.ResponseWriter, r *http.Request) error {
	list, err := s.cases().AuditTrail(r.Context(), principal(r), query(s, r, func(page store.Page) (usecase.AuditQuery, error) {
		subject := r.URL.Query().Get("subject")
		if subject == "" || len(subject) > 100 {
			return usecase.AuditQuery{}, problem(http.StatusBadRequest, ProblemInvalid, "subject is required",
				FieldError{Field: "subject", Message: "须给出对象的 ID / must be the ID of an object, at most 100 characters"})
		}
		return usecase.AuditQuery{Subject: subject, Page: page}, nil
	}))
	return answer(w, http.StatusOK, list.Sealed(s.sealFor(r)), err)
}

// PasswordLink sets a password with a single-use sign-in link.
type PasswordLink struct {
	Link     string `json:"link" validate:"required,max=200"`
	Password string `json:"password" validate:"required,max=512"`
}

// setPassword uses a first sign-in or reset link to set the account's
// password. It needs no bearer token: the link is the credential. An
// unknown, used or expired link is one refusal that says no more.
func (s *Server) setPassword(w http.ResponseWriter, r *http.Request) error {
	var req PasswordLink
	if err := decode(w, r, &req); err != nil {
		return err
	}
	err := s.Store.SetPasswordWithLinkThrottled(r.Context(), req.Link, req.Password, clientAddr(r), s.SignInLimits)
	var rule forms.Errors
	var locked *store.LockedError
	switch {
	case errors.As(err, &locked):
		return s.signInRefusal(w, err)
	case errors.Is(err, store.ErrLinkRefused):
		s.signInMetrics.failures.WithLabelValues("link").Inc()
		return problem(http.StatusBadRequest, ProblemInvalid, err.Error(), FieldError{Field: "link", Message: err.Error()})
	case errors.As(err, &rule):
		return problem(http.StatusUnprocessableEntity, ProblemInvalid, "the password is too weak", rule...)
	case err != nil:
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
