package api

import (
	"net/http"

	"github.com/stationflow/stationflow/internal/store"
	"github.com/stationflow/stationflow/internal/usecase"
)

// Scorecards: the scored result of a supervision or an evaluation, as the
// station's office, the organisation it scores, its supervisors and admins
// see it.

func (s *Server) listStationScorecards(w http.ResponseWriter, r *http.Request) error {
	list, err := s.cases().StationScorecards(r.Context(), principal(r), pathID(r), query(s, r, func(page store.Page) (usecase.PeriodQuery, error) {
		p, err := optional(r, "period", "", periodParam)
		return usecase.PeriodQuery{Period: p, Page: page}, err
	}))
	return answer(w, http.StatusOK, list.Sealed(s.sealFor(r)), err)
}

func (s *Server) getScorecard(w http.ResponseWriter, r *http.Request) error {
	c, err := s.cases().Scorecard(r.Context(), principal(r), pathID(r))
	return answer(w, http.StatusOK, c, err)
}
