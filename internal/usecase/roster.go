package usecase

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/stationflow/stationflow/internal/codes"
	"github.com/stationflow/stationflow/internal/forms"
	"github.com/stationflow/stationflow/internal/store"
)

// Rosters: the staff a station's operating organisation keeps on its
// roster (站长, 专职社工, 兼职, its own 督导 …), who joined and who left,
// and whether the station meets the staffing rule of its region today.

// Roster is a station's roster as answered: every entry, past and
// present, the rule that holds for the station and how today's staff
// stand against it.
type Roster struct {
	StationID uuid.UUID           `json:"station_id"`
	Entries   []store.RosterEntry `json:"entries"`
	Rule      store.StaffingRule  `json:"rule"`
	Today     forms.Staffing      `json:"staffing_today"`
	Meets     bool                `json:"meets_rule"`
	Problems  forms.Errors        `json:"problems"` // the rule's refusal when the station falls short, naming staffing
}

// StationRoster answers the roster of a station whose evidence the caller
// may see: its region's office, its operator, its assigned supervisors
// and admins.
func (c *Cases) StationRoster(ctx context.Context, who Caller, stationID string) (Roster, error) {
	st, err := c.EvidenceStation(ctx, who, stationID)
	if err != nil {
		return Roster{}, err
	}
	entries, err := c.Store.StationRoster(ctx, st.ID)
	if err != nil {
		return Roster{}, err
	}
	rule, err := c.Store.StaffingRuleFor(ctx, st.RegionCode, st.Level)
	if err != nil {
		return Roster{}, err
	}
	out := Roster{StationID: st.ID, Entries: entries, Rule: rule, Today: staffingOn(entries, Today()), Problems: forms.Errors{}}
	if errs := forms.CheckStaffing(rule.StaffingRule, codes.StationLevel(st.Level), out.Today); len(errs) > 0 {
		out.Problems = errs
	}
	out.Meets = len(out.Problems) == 0
	return out, nil
}

// staffingOn counts the roster's qualified social workers on the day.
func staffingOn(entries []store.RosterEntry, day time.Time) forms.Staffing {
	var s forms.Staffing
	for _, e := range entries {
		if day.Before(e.JoinedOn) || (e.LeftOn != nil && day.After(*e.LeftOn)) {
			continue
		}
		full, part := forms.CountsAsStaffing(e.Post, e.Qualification)
		if full {
			s.FullTimeQualified++
		}
		if part {
			s.PartTimeQualified++
		}
	}
	return s
}

// AddToRoster adds a member of staff to the roster of a station the
// caller records evidence for (its operator, or an admin acting for it).
// A person record named must be the operator's or of no organisation.
func (c *Cases) AddToRoster(ctx context.Context, who Caller, stationID string, in Input[forms.RosterEntry]) (store.RosterEntry, error) {
	st, err := c.recordingStation(ctx, who, stationID)
	if err != nil {
		return store.RosterEntry{}, err
	}
	form, err := in()
	if err != nil {
		return store.RosterEntry{}, err
	}
	if err := invalidIf(forms.CheckRosterEntry(form, Today())); err != nil {
		return store.RosterEntry{}, err
	}
	entry := store.RosterEntry{StationID: st.ID, OrganisationID: *st.OperatorID, Name: form.Name, Post: form.Post,
		Qualification: form.Qualification, CertificateNo: form.CertificateNo}
	entry.JoinedOn, _ = time.Parse(time.DateOnly, form.JoinedOn)
	if form.PersonID != "" {
		if entry, err = c.linkPerson(ctx, entry, form.PersonID); err != nil {
			return store.RosterEntry{}, err
		}
	}
	return c.Store.AddRosterEntry(ctx, who.Actor(), entry)
}

// linkPerson names the entry after a person record of the operator, or of
// no organisation (a supervisor the operator now employs).
func (c *Cases) linkPerson(ctx context.Context, e store.RosterEntry, raw string) (store.RosterEntry, error) {
	id, _ := uuid.Parse(raw) // the form checked it
	p, err := c.Store.GetPerson(ctx, id)
	refusal := invalid("the person cannot join this roster",
		forms.FieldError{Field: "person_id", Message: "不是本机构或无所属机构的人员 / names no person of this organisation or of none"})
	switch {
	case errors.Is(err, store.ErrNotFound):
		return e, refusal
	case err != nil:
		return e, err
	case p.OrganisationID != nil && *p.OrganisationID != e.OrganisationID:
		return e, refusal
	}
	e.PersonID, e.Name = &p.ID, p.Name
	return e, nil
}

// RecordLeaving records the last day a member of staff worked at a
// station the caller records evidence for.
func (c *Cases) RecordLeaving(ctx context.Context, who Caller, stationID, entryID string, in Input[forms.RosterLeave]) (store.RosterEntry, error) {
	st, err := c.recordingStation(ctx, who, stationID)
	if err != nil {
		return store.RosterEntry{}, err
	}
	e, err := loadID(ctx, "roster entry", entryID, func(ctx context.Context, id uuid.UUID) (store.RosterEntry, error) {
		return c.Store.GetRosterEntry(ctx, st.ID, id)
	}, func(context.Context, store.RosterEntry) (bool, error) { return true, nil })
	if err != nil {
		return e, err
	}
	if e.LeftOn != nil {
		return e, conflict("the entry has a left date already: " + e.LeftOn.Format(time.DateOnly))
	}
	form, err := in()
	if err != nil {
		return e, err
	}
	if err := invalidIf(forms.CheckRosterLeave(form, e.JoinedOn, Today())); err != nil {
		return e, err
	}
	left, _ := time.Parse(time.DateOnly, form.LeftOn)
	e, err = c.Store.RecordLeaving(ctx, who.Actor(), e, left)
	if errors.Is(err, store.ErrAlreadyLeft) {
		return e, conflict("the entry has a left date already")
	}
	return e, err
}
