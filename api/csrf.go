package api

import "net/http"

// refuseCrossOrigin is the CSRF defence: Go's CrossOriginProtection
// refuses a state-changing request (any method but GET, HEAD and
// OPTIONS) that a browser marks as cross-site (Sec-Fetch-Site) or whose
// Origin is not the Host it is sent to. It guards every request that
// carries no Authorization header: those a session cookie authenticates,
// and the sign-in and password-link forms (against signing a browser in
// to someone else's account). A bearer token is never sent by a browser
// on its own, so scripts that send one are let through untouched.
func (s *Server) refuseCrossOrigin(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, r, Problem{Type: ProblemForbidden, Title: problemTitles[ProblemForbidden], Status: http.StatusForbidden,
			Detail: "跨站请求被拒绝 / a cross-origin request that a cookie would authenticate is refused; send it from the same origin or with a bearer token"})
	}))
	guarded := cop.Handler(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			next.ServeHTTP(w, r)
			return
		}
		guarded.ServeHTTP(w, r)
	})
}
