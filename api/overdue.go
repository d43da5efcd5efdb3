package api

import "net/http"

// overdue is an office's view of every overdue piece of work in its region,
// by kind and station level.
func (s *Server) overdue(w http.ResponseWriter, r *http.Request) error {
	sum, err := s.cases().Overdue(r.Context(), principal(r), r.URL.Query().Get("region_code"))
	return answer(w, http.StatusOK, sum, err)
}
