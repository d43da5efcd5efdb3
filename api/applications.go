package api

import (
	"net/http"

	"github.com/stationflow/stationflow/internal/forms"
)

// MaxApplicationBytes bounds an application body, which may carry documents
// (base64 grows them by a third).
const MaxApplicationBytes = (forms.MaxDocuments*forms.MaxDocumentBytes)*4/3 + MaxBodyBytes

// createApplication: an organisation applies to run a station open for
// tender (usecase.Cases.Apply). The answer is 201 once the station's
// workflow has opened the review, 202 when the application is stored but
// the review is opened later.
func (s *Server) createApplication(w http.ResponseWriter, r *http.Request) error {
	app, handedOver, err := s.cases().Apply(r.Context(), principal(r), pathID(r),
		bodyLimited[forms.Application](w, r, MaxApplicationBytes))
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/v1/applications/"+app.ID.String())
	status := http.StatusCreated
	if !handedOver {
		status = http.StatusAccepted
	}
	writeJSON(w, status, app)
	return nil
}

// getApplication: the applying organisation and the offices in scope see
// an application; nobody else learns that it exists.
func (s *Server) getApplication(w http.ResponseWriter, r *http.Request) error {
	app, err := s.cases().Application(r.Context(), principal(r), pathID(r))
	return answer(w, http.StatusOK, app, err)
}
