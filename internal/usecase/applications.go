package usecase

import (
	"context"
	"encoding/json"
	"errors"

	"go.temporal.io/sdk/temporal"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/codes"
	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/forms"
	"github.com/stationflow/stationflow/internal/store"
	"github.com/stationflow/stationflow/workflows"
)

// Apply: an organisation applies to run a station open for tender. Every
// completeness and qualification rule runs first; a failing application is
// refused with every reason and nothing is stored. A passing one is
// stored, then handed to the station's workflow, which opens the review
// task for the office that owns the station's region. handedOver is false
// when the application is stored but the workflow could not yet be
// reached: the worker's reconciler hands it over later.
func (c *Cases) Apply(ctx context.Context, who Caller, stationID string, in Input[forms.Application]) (app store.Application, handedOver bool, err error) {
	st, err := c.Station(ctx, who, stationID)
	if err != nil {
		return app, false, err
	}
	if err := AllowRoles(who, auth.RoleOrg); err != nil {
		return app, false, err
	}
	if st.Phase != store.PhaseAwaitingOperator {
		return app, false, conflict("the station is " + st.Phase + ", not open for applications")
	}
	form, err := in()
	if err != nil {
		return app, false, err
	}
	rule, err := c.Store.StaffingRuleFor(ctx, st.RegionCode, st.Level)
	if err != nil {
		return app, false, err
	}
	if err := invalidIf(forms.CheckApplicationUnder(form, codes.StationLevel(st.Level), rule.StaffingRule)); err != nil {
		return app, false, err
	}
	org, err := c.Store.GetOrganisation(ctx, who.ScopeID())
	if err != nil {
		return app, false, err
	}
	if app, err = c.storeApplication(ctx, who, st, org, form); err != nil {
		return app, false, err
	}
	return c.handOver(ctx, who, st, org, app)
}

func (c *Cases) storeApplication(ctx context.Context, who Caller, st store.Station, org store.Organisation, form forms.Application) (store.Application, error) {
	staffing, _ := json.Marshal(form.Staffing)
	targets, _ := json.Marshal(form.Targets)
	docs := make([]store.UploadedFile, len(form.Documents))
	for i, d := range form.Documents {
		docs[i] = store.UploadedFile{Filename: d.Filename, ContentType: d.ContentType, Content: d.Content}
	}
	return c.Store.CreateApplication(ctx, who.Actor(), store.Application{StationID: st.ID, OrganisationID: org.ID,
		Staffing: staffing, Targets: targets, BudgetYuan: *form.BudgetYuan}, docs)
}

// handOver submits a stored application to the station's workflow. One
// the workflow refuses (the station was taken meanwhile) is closed
// unreviewed and refused as a conflict.
func (c *Cases) handOver(ctx context.Context, who Caller, st store.Station, org store.Organisation, app store.Application) (store.Application, bool, error) {
	var accepted flow.SubmissionAccepted
	err := c.awaitWorkflow(ctx, func(ctx context.Context) (err error) {
		accepted, err = workflows.SubmitApplication(ctx, c.Temporal, st.ID.String(), flow.ApplicationSubmission{
			ApplicationID: app.ID, OrganisationID: org.ID, OrganisationCode: org.CreditCode})
		return err
	})
	var appErr *temporal.ApplicationError
	switch {
	case errors.As(err, &appErr) && appErr.Type() == flow.RejectWrongState:
		if cerr := c.Store.CloseUnreviewedApplication(ctx, app.ID, appErr.Message(), who.Actor()); cerr != nil {
			return app, false, cerr
		}
		return app, false, conflict(appErr.Message())
	case err != nil:
		c.Logger.Warn("application stored; review not opened yet", "application_id", app.ID, "error", err)
		return app, false, nil
	}
	app.State, app.ReviewTaskID = accepted.State, &accepted.ReviewTaskID
	return app, true, nil
}
