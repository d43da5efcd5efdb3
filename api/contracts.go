package api

import "net/http"

// Contracts: a station's contracts and one contract, as the office over
// the station's region and the organisation holding the contract read
// them (internal/usecase/contracts.go).

func (s *Server) listStationContracts(w http.ResponseWriter, r *http.Request) error {
	list, err := s.cases().StationContracts(r.Context(), principal(r), pathID(r))
	return answer(w, http.StatusOK, map[string]any{"items": list}, err)
}

func (s *Server) getContract(w http.ResponseWriter, r *http.Request) error {
	k, err := s.cases().Contract(r.Context(), principal(r), pathID(r))
	return answer(w, http.StatusOK, k, err)
}
