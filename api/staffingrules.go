package api

import (
	"net/http"

	"github.com/stationflow/stationflow/internal/usecase"
)

// Staffing rules: what holds in a region for each station level, and a
// province office's (or an admin's) stricter rule.

func (s *Server) getStaffingRules(w http.ResponseWriter, r *http.Request) error {
	rules, err := s.cases().ReadStaffingRules(r.Context(), principal(r), muxVar(r, "region"))
	return answer(w, http.StatusOK, rules, err)
}

func (s *Server) putStaffingRule(w http.ResponseWriter, r *http.Request) error {
	rules, err := s.cases().PutStaffingRule(r.Context(), principal(r), muxVar(r, "region"), body[usecase.SetStaffingRule](w, r))
	return answer(w, http.StatusOK, rules, err)
}
