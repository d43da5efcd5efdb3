package api

import (
	"encoding/json"
	"errors"
	"net/http"

	"go.temporal.io/sdk/temporal"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/codes"
	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/forms"
	"github.com/stationflow/stationflow/internal/store"
	"github.com/stationflow/stationflow/workflows"
)

// MaxApplicationBytes bounds an application body, which may carry documents
// (base64 grows them by a third).
const MaxApplicationBytes = (forms.MaxDocuments*forms.MaxDocumentBytes)*4/3 + MaxBodyBytes

// createApplication: an organisation applies to run a station open for
// tender. Every completeness and qualification rule runs first; a failing
// application is 422 with every reason and nothing is stored. A passing one
// is stored, then handed to the station's workflow, which opens the review
// task for the office that owns the station's region.
func (s *Server) createApplication(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	st, err := s.visibleStation(r)
	if err != nil {
		return err
	}
	if err := allowRoles(r, auth.RoleOrg); err != nil {
		return err
	}
	if st.Phase != store.PhaseAwaitingOperator {
		return problem(http.StatusConflict, ProblemConflict, "the station is "+st.Phase+", not open for applications")
	}
	var form forms.Application
	if err := decodeLimited(w, r, &form, MaxApplicationBytes); err != nil {
		return err
	}
	if err := invalidIf(forms.CheckApplication(form, codes.StationLevel(st.Level))); err != nil {
		return err
	}
	org, err := s.Store.GetOrganisation(r.Context(), p.ScopeID())
	if err != nil {
		return err
	}
	staffing, _ := json.Marshal(form.Staffing)
	targets, _ := json.Marshal(form.Targets)
	docs := make([]store.UploadedFile, len(form.Documents))
	for i, d := range form.Documents {
		docs[i] = store.UploadedFile{Filename: d.Filename, ContentType: d.ContentType, Content: d.Content}
	}
	app, err := s.Store.CreateApplication(r.Context(), p.Actor(), store.Application{StationID: st.ID, OrganisationID: org.ID,
		Staffing: staffing, Targets: targets, BudgetYuan: *form.BudgetYuan}, docs)
	if err != nil {
		return err
	}
	accepted, err := workflows.SubmitApplication(r.Context(), s.Temporal, st.ID.String(), flow.ApplicationSubmission{
		ApplicationID: app.ID, OrganisationID: org.ID, OrganisationCode: org.CreditCode})
	if err != nil {
		var appErr *temporal.ApplicationError
		if errors.As(err, &appErr) && appErr.Type() == flow.RejectWrongState {
			if cerr := s.Store.CloseUnreviewedApplication(r.Context(), app.ID, appErr.Message(), p.Actor()); cerr != nil {
				return cerr
			}
			return problem(http.StatusConflict, ProblemConflict, appErr.Message())
		}
		// Stored but not handed over: the worker's reconciler hands it over.
		s.Logger.Warn("application stored; review not opened yet", "application_id", app.ID, "error", err)
		w.Header().Set("Location", "/v1/applications/"+app.ID.String())
		writeJSON(w, http.StatusAccepted, app)
		return nil
	}
	app.State, app.ReviewTaskID = accepted.State, &accepted.ReviewTaskID
	w.Header().Set("Location", "/v1/applications/"+app.ID.String())
	writeJSON(w, http.StatusCreated, app)
	return nil
}

// getApplication: the applying organisation and the offices in scope see
// an application; nobody else learns that it exists.
func (s *Server) getApplication(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	if err := allowRoles(r, auth.RoleAdmin, auth.RoleOffice, auth.RoleOrg); err != nil {
		return err
	}
	id, err := pathID(r, "application")
	if err != nil {
		return err
	}
	app, err := s.Store.GetApplication(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return notFound("application")
	}
	if err != nil {
		return err
	}
	switch p.Role {
	case auth.RoleAdmin:
	case auth.RoleOrg:
		if app.OrganisationID != p.ScopeID() {
			return notFound("application")
		}
	case auth.RoleOffice:
		st, err := s.Store.GetStation(r.Context(), app.StationID)
		if err != nil {
			return err
		}
		if !auth.InRegion(p.Scope, st.RegionCode) {
			return notFound("application")
		}
	default:
		return notFound("application")
	}
	writeJSON(w, http.StatusOK, app)
	return nil
}
