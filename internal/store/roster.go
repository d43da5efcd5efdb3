package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/stationflow/stationflow/internal/evidence"
	"github.com/stationflow/stationflow/internal/store/db"
)

// RosterEntry is one member of a station's staff as its operating
// organisation keeps them. Name is personal data: it is stored here and
// answered to those who may see the roster, never logged or audited.
type RosterEntry struct {
	ID             uuid.UUID  `json:"id"`
	StationID      uuid.UUID  `json:"station_id"`
	OrganisationID uuid.UUID  `json:"organisation_id"`
	PersonID       *uuid.UUID `json:"person_id"`
	Name           string     `json:"name"`
	Post           string     `json:"post"`
	Qualification  string     `json:"qualification"`
	CertificateNo  string     `json:"certificate_no"`
	JoinedOn       time.Time  `json:"joined_on"`
	LeftOn         *time.Time `json:"left_on"`
	CreatedAt      time.Time  `json:"created_at"`
}

type plainRosterEntry RosterEntry

// MarshalJSON writes the days as 2006-01-02.
func (e RosterEntry) MarshalJSON() ([]byte, error) {
	var left *string
	if e.LeftOn != nil {
		s := e.LeftOn.Format(time.DateOnly)
		left = &s
	}
	return json.Marshal(struct {
		plainRosterEntry
		JoinedOn string  `json:"joined_on"`
		LeftOn   *string `json:"left_on"`
	}{plainRosterEntry(e), e.JoinedOn.Format(time.DateOnly), left})
}

// UnmarshalJSON reads the days written 2006-01-02.
func (e *RosterEntry) UnmarshalJSON(b []byte) error {
	var v struct {
		plainRosterEntry
		JoinedOn string  `json:"joined_on"`
		LeftOn   *string `json:"left_on"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*e = RosterEntry(v.plainRosterEntry)
	var err error
	if e.JoinedOn, err = time.Parse(time.DateOnly, v.JoinedOn); err != nil {
		return fmt.Errorf("roster entry joined_on: %w", err)
	}
	if v.LeftOn != nil {
		left, err := time.Parse(time.DateOnly, *v.LeftOn)
		if err != nil {
			return fmt.Errorf("roster entry left_on: %w", err)
		}
		e.LeftOn = &left
	}
	return nil
}

func rosterEntryFromDB(r db.RosterEntry) RosterEntry {
	return RosterEntry{ID: r.ID, StationID: r.StationID, OrganisationID: r.OrganisationID, PersonID: r.PersonID, Name: r.Name,
		Post: r.Post, Qualification: r.Qualification, CertificateNo: r.CertificateNo, JoinedOn: r.JoinedOn, LeftOn: r.LeftOn,
		CreatedAt: r.CreatedAt}
}

// AddRosterEntry adds a checked entry to a station's roster, audited
// without the name.
func (s *Store) AddRosterEntry(ctx context.Context, actor string, e RosterEntry) (RosterEntry, error) {
	e.ID = NewID()
	err := s.inTx(ctx, func(tx pgx.Tx, q *db.Queries) error {
		var err error
		e.CreatedAt, err = q.InsertRosterEntry(ctx, db.InsertRosterEntryParams{ID: e.ID, StationID: e.StationID,
			OrganisationID: e.OrganisationID, PersonID: e.PersonID, Name: e.Name, Post: e.Post, Qualification: e.Qualification,
			CertificateNo: e.CertificateNo, JoinedOn: e.JoinedOn})
		if err != nil {
			return err
		}
		return AppendAudit(ctx, tx, AuditEntry{Actor: actor, Action: "roster.joined", ObjectType: "station",
			ObjectID: e.StationID.String(), Detail: mustJSON(map[string]any{"entry_id": e.ID, "post": e.Post,
				"qualification": e.Qualification, "person_id": e.PersonID, "joined_on": e.JoinedOn.Format(time.DateOnly)})})
	})
	return e, err
}

// GetRosterEntry returns one entry of the station's roster or ErrNotFound.
func (s *Store) GetRosterEntry(ctx context.Context, stationID, id uuid.UUID) (RosterEntry, error) {
	r, err := s.q.GetRosterEntry(ctx, db.GetRosterEntryParams{ID: id, StationID: stationID})
	return rosterEntryFromDB(r), notFound(err)
}

// ErrAlreadyLeft is a leaving recorded for an entry that has left already.
var ErrAlreadyLeft = fmt.Errorf("the roster entry has a left date already")

// RecordLeaving sets the last day an entry worked at the station, audited.
// An entry that has left already is ErrAlreadyLeft.
func (s *Store) RecordLeaving(ctx context.Context, actor string, e RosterEntry, left time.Time) (RosterEntry, error) {
	err := s.inTx(ctx, func(tx pgx.Tx, q *db.Queries) error {
		n, err := q.SetRosterLeft(ctx, db.SetRosterLeftParams{LeftOn: &left, ID: e.ID})
		if err != nil {
			return err
		}
		if n == 0 {
			return ErrAlreadyLeft
		}
		return AppendAudit(ctx, tx, AuditEntry{Actor: actor, Action: "roster.left", ObjectType: "station",
			ObjectID: e.StationID.String(), Detail: mustJSON(map[string]any{"entry_id": e.ID, "left_on": left.Format(time.DateOnly)})})
	})
	if err == nil {
		e.LeftOn = &left
	}
	return e, err
}

// StationRoster lists every entry of the station's roster, past and
// present, in the order people joined.
func (s *Store) StationRoster(ctx context.Context, stationID uuid.UUID) ([]RosterEntry, error) {
	rows, err := s.q.StationRoster(ctx, stationID)
	return mapRows(rows, rosterEntryFromDB), err
}

// OnOperatorRoster reports whether the person is on the organisation's
// roster, at any of its stations, on the day.
func (s *Store) OnOperatorRoster(ctx context.Context, personID, orgID uuid.UUID, day time.Time) (bool, error) {
	return s.q.OnOperatorRoster(ctx, db.OnOperatorRosterParams{PersonID: &personID, OrganisationID: orgID, OnDay: calendarDay(day)})
}

// rosterQuarter is the roster part of a quarter's evidence pack: the
// station's staff over from..to under the staffing rule of its region.
func (s *Store) rosterQuarter(ctx context.Context, stationID uuid.UUID, from, to time.Time) (*evidence.RosterQuarter, error) {
	st, err := s.q.GetStation(ctx, stationID)
	if err != nil {
		return nil, notFound(err)
	}
	rule, err := s.StaffingRuleFor(ctx, st.RegionCode, st.Level)
	if err != nil {
		return nil, err
	}
	rows, err := s.q.RosterOverlapping(ctx, db.RosterOverlappingParams{StationID: stationID, FromDay: from, ToDay: to})
	if err != nil {
		return nil, err
	}
	spells := mapRows(rows, func(r db.RosterEntry) evidence.RosterSpell {
		return evidence.RosterSpell{ID: r.ID, Post: r.Post, Qualification: r.Qualification, Joined: r.JoinedOn, Left: r.LeftOn}
	})
	rq := evidence.QuarterRoster(spells, rule.StaffingRule, from, to)
	rq.RuleRegion = rule.RegionPrefix
	return &rq, nil
}
