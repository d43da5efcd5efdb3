package api

import "net/http"

// overdue is an office's view of every overdue piece of work in its region,
// by kind and station level.
func (s *Server) overdue(w http.ResponseWriter, r *http.Request) error {
	region, err := optional(r, "region_code", "", regionParam)
	if err != nil {
		return err
	}
	sum, err := s.cases().Overdue(r.Context(), principal(r), region)
	return answer(w, http.StatusOK, sum, err)
}
