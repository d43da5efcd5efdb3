package api

import "net/http"

// edgeHeaders sets on every answer the headers that keep it out of
// caches and stop browsers guessing its type: answers carry personal
// data (names, ID numbers, evaluations), and a problem may carry a
// fragment of the request.
func edgeHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		next.ServeHTTP(w, r)
	})
}
