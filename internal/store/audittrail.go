package store

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/stationflow/stationflow/internal/store/db"
)

// AuditActor is who wrote an audit row: a person (their account and their
// display name when the row was written, acting through a session or a
// token) or a service (a service token, a workflow, the command line),
// which has no account and is named by its opaque ID.
type AuditActor struct {
	AccountID *uuid.UUID `json:"account_id"`
	Name      string     `json:"name"`
	Via       string     `json:"via"`
}

// AuditItem is one event in an object's trail.
type AuditItem struct {
	Action string     `json:"action"`
	At     time.Time  `json:"at"`
	Reason string     `json:"reason"`
	Actor  AuditActor `json:"actor"`
	seq    int64
}

// AuditSubjectType is the kind of object an ID names in the audit log
// (station, task, application, …), or ErrNotFound when no row names it.
func (s *Store) AuditSubjectType(ctx context.Context, objectID string) (string, error) {
	t, err := s.q.AuditSubjectType(ctx, objectID)
	return t, notFound(err)
}

// AuditTrail is one page of an object's trail, oldest first.
func (s *Store) AuditTrail(ctx context.Context, objectType, objectID string, p Page) (List[AuditItem], error) {
	after, err := seqCursor(p.Cursor)
	if err != nil {
		return List[AuditItem]{}, err
	}
	limit := p.limit()
	rows, err := s.q.AuditTrail(ctx, db.AuditTrailParams{ObjectType: objectType, ObjectID: objectID, After: after, Lim: limit + 1})
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return List[AuditItem]{}, err
	}
	items := mapRows(rows, auditItem)
	list := pageOf(items, limit, func(it AuditItem) string { return strconv.FormatInt(it.seq, 10) })
	return list, nil
}

func auditItem(r db.AuditTrailRow) AuditItem {
	it := AuditItem{Action: r.Action, At: r.At, seq: r.Seq,
		Actor: AuditActor{AccountID: r.ActorAccountID, Name: deref(r.ActorName), Via: deref(r.ActorVia)}}
	if it.Actor.Via == "" {
		it.Actor = AuditActor{Name: r.Actor, Via: "service"}
	}
	var detail struct {
		Reason string `json:"reason"`
	}
	if json.Unmarshal([]byte(r.Detail), &detail) == nil {
		it.Reason = detail.Reason
	}
	return it
}

// seqCursor decodes an audit trail's cursor: the last row's sequence
// number. The lists keyed by ID use Page.after instead.
func seqCursor(cursor string) (int64, error) {
	if cursor == "" {
		return 0, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return 0, ErrBadCursor
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil || n < 1 {
		return 0, ErrBadCursor
	}
	return n, nil
}
