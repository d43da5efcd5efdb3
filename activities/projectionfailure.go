package activities

import (
	"context"
	"regexp"

	"github.com/google/uuid"

	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/store"
)

// errorClassPattern and regionPattern are what projection_failures
// accepts; anything else is written blank or as Unknown, so the recording
// itself is never refused as data.
var (
	errorClassPattern = regexp.MustCompile(`^[A-Za-z]{1,64}$`)
	regionPattern     = regexp.MustCompile(`^[0-9]{2,12}$`)
)

// RecordProjectionFailure records a projection that failed for good and
// logs it as an error, with identifiers and the error class only: the
// office sees it in the API and the alert counts it.
func (a *Activities) RecordProjectionFailure(ctx context.Context, f flow.ProjectionFailure) error {
	rec := store.ProjectionFailure{ID: f.ID, WorkflowID: f.WorkflowID, RunID: f.RunID, Activity: f.Activity, ErrorClass: f.ErrorClass,
		RegionCode: f.RegionCode}
	if !errorClassPattern.MatchString(rec.ErrorClass) {
		rec.ErrorClass = "Unknown"
	}
	if !errorClassPattern.MatchString(rec.Activity) {
		rec.Activity = "Unknown"
	}
	if !regionPattern.MatchString(rec.RegionCode) {
		rec.RegionCode = ""
	}
	if f.StationID != uuid.Nil {
		rec.StationID = &f.StationID
	}
	a.Logger.Error("projection failed for good; the workflow waits for a retry", "failure_id", f.ID.String(),
		"workflow_id", f.WorkflowID, "activity", rec.Activity, "error_class", rec.ErrorClass, "region_code", rec.RegionCode)
	return classify(a.Store.RecordProjectionFailure(ctx, rec))
}
