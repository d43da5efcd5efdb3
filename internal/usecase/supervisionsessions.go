package usecase

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/stationflow/stationflow/internal/forms"
	"github.com/stationflow/stationflow/internal/store"
)

// Internal supervision sessions (内部督导): the operator's own supervisor
// coaching colleagues of the station. They are kept apart from service
// records, so the six service lines never count them; the evidence pack
// shows them on their own.

// RecordSupervisionSession records a session for a station the caller
// records evidence for: its operating organisation (or an admin acting
// for it). The supervisor must be a roster entry of the station of post
// internal_supervisor, and every member of staff a roster entry of the
// station, all on the roster on the day.
func (c *Cases) RecordSupervisionSession(ctx context.Context, who Caller, stationID string, in Input[forms.SupervisionSession]) (store.SupervisionSession, error) {
	st, err := c.recordingStation(ctx, who, stationID)
	if err != nil {
		return store.SupervisionSession{}, err
	}
	form, err := in()
	if err != nil {
		return store.SupervisionSession{}, err
	}
	if err := invalidIf(forms.CheckSupervisionSession(form, Today())); err != nil {
		return store.SupervisionSession{}, err
	}
	roster, err := c.Store.StationRoster(ctx, st.ID)
	if err != nil {
		return store.SupervisionSession{}, err
	}
	day, _ := time.Parse(time.DateOnly, form.Date)
	if err := invalidIf(checkSessionRoster(form, roster, day)); err != nil {
		return store.SupervisionSession{}, err
	}
	x := store.SupervisionSession{StationID: st.ID, OrganisationID: *st.OperatorID, Date: form.Date, Minutes: *form.Minutes,
		SupervisorID: uuid.MustParse(form.SupervisorID), Topic: form.Topic}
	for _, id := range form.StaffIDs {
		x.StaffIDs = append(x.StaffIDs, uuid.MustParse(id)) // the form checked them
	}
	return c.Store.AddSupervisionSession(ctx, who.Actor(), x)
}

// checkSessionRoster names each roster entry of the session that is not
// of the station, not on its roster on the day, or (the supervisor) not
// of post internal_supervisor, or (a member of staff) the supervisor.
func checkSessionRoster(x forms.SupervisionSession, roster []store.RosterEntry, day time.Time) forms.Errors {
	byID := make(map[string]store.RosterEntry, len(roster))
	for _, e := range roster {
		byID[e.ID.String()] = e
	}
	var errs forms.Errors
	sup, ok := byID[x.SupervisorID]
	switch {
	case !ok:
		errs = append(errs, forms.FieldError{Field: "supervisor_id", Message: "不是本站花名册人员 / names no roster entry of this station"})
	case sup.Post != forms.PostInternalSupervisor:
		errs = append(errs, forms.FieldError{Field: "supervisor_id", Message: "不是本机构内部督导 / is not of post internal_supervisor"})
	case !onRoster(sup, day):
		errs = append(errs, forms.FieldError{Field: "supervisor_id", Message: "督导当日不在岗 / was not on the roster on the session's date"})
	}
	for i, id := range x.StaffIDs {
		field := fmt.Sprintf("staff_ids[%d]", i)
		e, ok := byID[id]
		switch {
		case !ok:
			errs = append(errs, forms.FieldError{Field: field, Message: "不是本站花名册人员 / names no roster entry of this station"})
		case id == x.SupervisorID:
			errs = append(errs, forms.FieldError{Field: field, Message: "督导不能督导自己 / must not be the supervisor"})
		case !onRoster(e, day):
			errs = append(errs, forms.FieldError{Field: field, Message: "当日不在岗（未入职或已离岗） / was not on the roster on the session's date"})
		}
	}
	return errs
}

// onRoster: the entry had joined and not yet left on the day.
func onRoster(e store.RosterEntry, day time.Time) bool {
	return !day.Before(e.JoinedOn) && (e.LeftOn == nil || !day.After(*e.LeftOn))
}

// SupervisionSessions lists the sessions of a station whose evidence the
// caller may see: its office, its operating organisation, its assigned
// supervisors.
func (c *Cases) SupervisionSessions(ctx context.Context, who Caller, stationID string, in Input[store.Page]) (store.List[store.SupervisionSession], error) {
	st, err := c.EvidenceStation(ctx, who, stationID)
	if err != nil {
		return store.List[store.SupervisionSession]{}, err
	}
	page, err := in()
	if err != nil {
		return store.List[store.SupervisionSession]{}, err
	}
	return c.Store.ListSupervisionSessions(ctx, st.ID, page)
}
