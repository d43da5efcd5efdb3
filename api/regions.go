package api

import (
	"net/http"

	"github.com/stationflow/stationflow/internal/codes"
	"github.com/stationflow/stationflow/internal/usecase"
)

// listRegions answers GET /v1/regions?parent=CODE: the regions directly
// below parent with their names, in code order; without parent, the
// provinces.
func (s *Server) listRegions(w http.ResponseWriter, r *http.Request) error {
	list, err := s.cases().Regions(r.Context(), principal(r), func() (usecase.RegionQuery, error) {
		q := usecase.RegionQuery{Parent: r.URL.Query().Get("parent")}
		if q.Parent != "" {
			if _, err := codes.ParseRegion(q.Parent); err != nil {
				return q, problem(http.StatusBadRequest, ProblemInvalid, "parent is not a region code",
					FieldError{Field: "parent", Message: err.Error()})
			}
		}
		return q, nil
	})
	return answer(w, http.StatusOK, list, err)
}
