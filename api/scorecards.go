package api

import (
	"net/http"

	"github.com/stationflow/stationflow/internal/store"
)

// Scorecards: the scored result of a supervision or an evaluation, as the
// station's office, the organisation it scores, its supervisors and admins
// see it.

func (s *Server) listStationScorecards(w http.ResponseWriter, r *http.Request) error {
	who := principal(r)
	st, err := s.cases().EvidenceStation(r.Context(), who, pathID(r))
	if err != nil {
		return err
	}
	return writePage(w, r, func(page store.Page) (store.List[store.Scorecard], error) {
		f := store.ScorecardFilter{StationID: st.ID, Period: r.URL.Query().Get("period")}
		return s.cases().StationScorecards(r.Context(), who, f, page)
	})
}

func (s *Server) getScorecard(w http.ResponseWriter, r *http.Request) error {
	c, err := s.cases().Scorecard(r.Context(), principal(r), pathID(r))
	return answer(w, http.StatusOK, c, err)
}
