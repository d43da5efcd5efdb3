package api

import (
	"errors"
	"math"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/forms"
	"github.com/stationflow/stationflow/internal/store"
)

// SessionCookie is the name of the cookie that carries a session.
const SessionCookie = "sf_session"

// SignInRequest is a login and password, as JSON or as an HTML form.
type SignInRequest struct {
	Login    string `json:"login" validate:"required,max=64"`
	Password string `json:"password" validate:"required,max=512"`
}

// signIn checks a login and password and, when they match, starts a
// session and sets its cookie. The cookie the browser sent, if any, is
// ended and replaced, never adopted (session fixation). Every refusal is
// one 401 that says nothing about which part was wrong; a login or an
// address with too many refusals is locked out (423 or 429, Retry-After).
func (s *Server) signIn(w http.ResponseWriter, r *http.Request) error {
	req, err := decodeSignIn(w, r)
	if err != nil {
		return err
	}
	in := store.SignIn{Login: req.Login, Password: req.Password, Address: clientAddr(r)}
	if c, err := r.Cookie(SessionCookie); err == nil {
		in.Previous = c.Value
	}
	token, p, err := s.Store.SignIn(r.Context(), in, s.SignInLimits, s.SessionLimits)
	if err != nil {
		return s.signInRefusal(w, err)
	}
	s.setSessionCookie(w, token)
	me, err := s.cases().Me(r.Context(), p)
	return answer(w, http.StatusOK, me, err)
}

// decodeSignIn reads a sign-in from JSON or from a URL-encoded form.
func decodeSignIn(w http.ResponseWriter, r *http.Request) (SignInRequest, error) {
	var req SignInRequest
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		return req, decode(w, r, &req)
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	if err := r.ParseForm(); err != nil {
		return req, problem(http.StatusBadRequest, ProblemMalformed, "the form could not be read",
			FieldError{Field: "body", Message: "须为表单编码 / must be application/x-www-form-urlencoded within 4 KiB"})
	}
	for _, f := range []string{"login", "password"} {
		if len(r.PostForm[f]) > 1 {
			return req, problem(http.StatusBadRequest, ProblemMalformed, "a field is given twice",
				FieldError{Field: f, Message: "只能给出一次 / must be given once"})
		}
	}
	req = SignInRequest{Login: r.PostForm.Get("login"), Password: r.PostForm.Get("password")}
	for f, v := range map[string]string{"login": req.Login, "password": req.Password} {
		if msg := forms.CheckText(v); msg != "" {
			return req, problem(http.StatusUnprocessableEntity, ProblemInvalid, "a field holds text stationflow cannot store",
				FieldError{Field: f, Message: msg})
		}
	}
	return req, invalidIf(forms.Check(&req))
}

// signInRefusal answers a refused sign-in or password link.
func (s *Server) signInRefusal(w http.ResponseWriter, err error) error {
	var locked *store.LockedError
	switch {
	case errors.As(err, &locked):
		s.signInMetrics.lockouts.WithLabelValues(lockScope(locked)).Inc()
		w.Header().Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(locked.Retry.Seconds())))))
		if locked.Address {
			return problem(http.StatusTooManyRequests, ProblemRateLimited, locked.Error())
		}
		return problem(http.StatusLocked, ProblemLocked, locked.Error())
	case errors.Is(err, store.ErrSignInRefused):
		s.signInMetrics.failures.WithLabelValues("sign_in").Inc()
		return problem(http.StatusUnauthorized, ProblemUnauthorized, err.Error())
	}
	return err
}

func lockScope(e *store.LockedError) string {
	if e.Address {
		return "address"
	}
	return "login"
}

// setSessionCookie hands the browser its session: HttpOnly, SameSite=Lax,
// Secure unless the server runs on loopback over plain HTTP for
// development, and no longer-lived than the session's absolute timeout.
func (s *Server) setSessionCookie(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: token, Path: "/", HttpOnly: true, Secure: !s.InsecureCookies,
		SameSite: http.SameSiteLaxMode, MaxAge: int(s.sessionLimits().Absolute / time.Second)})
}

// clearSessionCookie tells the browser to forget its session.
func (s *Server) clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", HttpOnly: true, Secure: !s.InsecureCookies,
		SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

func (s *Server) sessionLimits() store.SessionLimits {
	l := s.SessionLimits
	if l.Absolute <= 0 {
		l.Absolute = store.DefaultSessionAbsolute
	}
	return l
}

// signOut ends the session of the cookie sent, if any, and clears it.
// It needs no live session: signing out twice is no error.
func (s *Server) signOut(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
		if err := s.Store.SignOut(r.Context(), c.Value); err != nil {
			return err
		}
	}
	s.clearSessionCookie(w)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// signOutEverywhere ends every session of the caller's account, this one
// included; its tokens are left alone (they are revoked one by one). It
// takes a session: a token, a person's or a service's, is refused.
func (s *Server) signOutEverywhere(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	if p.Via != auth.ViaSession {
		return problem(http.StatusForbidden, ProblemForbidden, "只有会话可以退出所有会话，令牌请逐个吊销 / only a session signs out everywhere; revoke tokens one by one")
	}
	if _, err := s.Store.EndSessions(r.Context(), p.Actor(), p.AccountID, uuid.Nil, "sign_out_everywhere"); err != nil {
		return err
	}
	s.clearSessionCookie(w)
	w.WriteHeader(http.StatusNoContent)
	return nil
}
