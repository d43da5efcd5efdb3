package store

import (
	"context"
	"math"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/stationflow/stationflow/internal/store/db"
)

// SupervisionSession is an internal supervision session (内部督导): the
// operator's own supervisor, a roster entry of the station, coaching
// colleagues of the station for some minutes on one day.
type SupervisionSession struct {
	ID             uuid.UUID   `json:"id"`
	StationID      uuid.UUID   `json:"station_id"`
	OrganisationID uuid.UUID   `json:"organisation_id"`
	Date           string      `json:"date"` // 2006-01-02
	Minutes        int         `json:"minutes"`
	SupervisorID   uuid.UUID   `json:"supervisor_id"`
	StaffIDs       []uuid.UUID `json:"staff_ids"`
	Topic          string      `json:"topic"`
	CreatedAt      time.Time   `json:"created_at"`
}

// InternalSupervision is the evidence pack's account of a quarter's
// internal supervision, apart from the six service lines.
type InternalSupervision struct {
	Sessions        int64   `json:"sessions"`
	Minutes         int64   `json:"minutes"`
	Hours           float64 `json:"hours"`            // Minutes in hours, to two decimals
	StaffSupervised int64   `json:"staff_supervised"` // distinct roster entries supervised
}

// AddSupervisionSession records a checked session with an audit row in
// the same transaction; the audit names entries, never people.
func (s *Store) AddSupervisionSession(ctx context.Context, actor string, x SupervisionSession) (SupervisionSession, error) {
	x.ID = NewID()
	day, err := time.Parse(time.DateOnly, x.Date)
	if err != nil {
		return x, err
	}
	err = s.inTx(ctx, func(tx pgx.Tx, q *db.Queries) error {
		var err error
		x.CreatedAt, err = q.InsertSupervisionSession(ctx, db.InsertSupervisionSessionParams{ID: x.ID, StationID: x.StationID,
			OrganisationID: x.OrganisationID, Date: day, Minutes: x.Minutes, SupervisorID: x.SupervisorID, StaffIds: x.StaffIDs,
			Topic: x.Topic})
		if err != nil {
			return err
		}
		return AppendAudit(ctx, tx, AuditEntry{Actor: actor, Action: "supervision_session.recorded", ObjectType: "station",
			ObjectID: x.StationID.String(), Detail: mustJSON(map[string]any{"session_id": x.ID, "date": x.Date,
				"minutes": x.Minutes, "supervisor_id": x.SupervisorID, "staff": len(x.StaffIDs)})})
	})
	return x, err
}

const supervisionSessionColumns = `id, station_id, organisation_id, date, minutes, supervisor_id, staff_ids, topic, created_at`

func scanSupervisionSession(r pgx.CollectableRow) (SupervisionSession, error) {
	var x SupervisionSession
	var day time.Time
	err := r.Scan(&x.ID, &x.StationID, &x.OrganisationID, &day, &x.Minutes, &x.SupervisorID, &x.StaffIDs, &x.Topic, &x.CreatedAt)
	x.Date = day.Format(time.DateOnly)
	return x, err
}

// ListSupervisionSessions lists a station's sessions in ID order.
func (s *Store) ListSupervisionSessions(ctx context.Context, stationID uuid.UUID, p Page) (List[SupervisionSession], error) {
	q := newQuery(`SELECT ` + supervisionSessionColumns + ` FROM supervision_sessions`)
	q.whereIf(true, "station_id = ?", stationID)
	return listPage(ctx, s.pool, q, p, scanSupervisionSession, func(x SupervisionSession) uuid.UUID { return x.ID })
}

// internalSupervision sums a station's sessions dated from..to.
func (s *Store) internalSupervision(ctx context.Context, stationID uuid.UUID, from, to time.Time) (InternalSupervision, error) {
	r, err := s.q.InternalSupervisionTotals(ctx, db.InternalSupervisionTotalsParams{StationID: stationID, FromDay: from, ToDay: to})
	return InternalSupervision{Sessions: r.Sessions, Minutes: r.Minutes, Hours: math.Round(float64(r.Minutes)/60*100) / 100,
		StaffSupervised: r.StaffSupervised}, err
}
