package store

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
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
	after := seqOf(p.After)
	limit := p.limit()
	rows, err := s.q.AuditTrail(ctx, db.AuditTrailParams{ObjectType: objectType, ObjectID: objectID, After: after, Lim: limit + 1})
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return List[AuditItem]{}, err
	}
	items := mapRows(rows, auditItem)
	list := pageOf(items, limit, func(it AuditItem) uuid.UUID { return seqKey(it.seq) })
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

// seqKey carries an audit row's sequence number as a list key: the lists
// are paged by a UUID key (sealed into an authenticated cursor by the
// API), and the trail's order is the row sequence, held in the key's last
// eight bytes.
func seqKey(seq int64) uuid.UUID {
	var k uuid.UUID
	binary.BigEndian.PutUint64(k[8:], uint64(seq))
	return k
}

// seqOf is the sequence number seqKey carried; uuid.Nil is 0, the start.
func seqOf(k uuid.UUID) int64 { return int64(binary.BigEndian.Uint64(k[8:])) }
