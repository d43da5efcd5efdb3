package api

import (
	"net/http"

	"github.com/stationflow/stationflow/internal/forms"
)

// Rosters: a station's staff as its operating organisation keeps them,
// read by the station's office, operator and supervisors.

func (s *Server) getRoster(w http.ResponseWriter, r *http.Request) error {
	roster, err := s.cases().StationRoster(r.Context(), principal(r), pathID(r))
	return answer(w, http.StatusOK, roster, err)
}

// addToRoster: the operator adds a member of staff (201).
func (s *Server) addToRoster(w http.ResponseWriter, r *http.Request) error {
	e, err := s.cases().AddToRoster(r.Context(), principal(r), pathID(r), body[forms.RosterEntry](w, r))
	return created(w, "/v1/stations/"+pathID(r)+"/roster", e.ID, e, err)
}

// recordLeaving: the operator records a member of staff's last day.
func (s *Server) recordLeaving(w http.ResponseWriter, r *http.Request) error {
	e, err := s.cases().RecordLeaving(r.Context(), principal(r), pathID(r), muxVar(r, "entry"), body[forms.RosterLeave](w, r))
	return answer(w, http.StatusOK, e, err)
}
