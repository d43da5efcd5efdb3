package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/stationflow/stationflow/internal/store/db"
)

// AuditEntry is one event in the append-only audit log. Actor and the object
// are opaque IDs and codes; Detail never holds personal data.
type AuditEntry struct {
	Seq        int64           `json:"seq"`
	At         time.Time       `json:"at"`
	Actor      string          `json:"actor"`
	Action     string          `json:"action"`
	ObjectType string          `json:"object_type"`
	ObjectID   string          `json:"object_id"`
	Detail     json.RawMessage `json:"detail"`
	// The person behind the row, resolved from an "account:" actor when
	// the row is appended: their account and display name at that moment,
	// and how they acted. Empty for services and workflows.
	ActorAccountID *uuid.UUID `json:"-"`
	ActorName      string     `json:"-"`
	ActorVia       string     `json:"-"`
	PrevHash       []byte     `json:"-"`
	Hash           []byte     `json:"-"`
}

// auditLockKey serialises appends so each row links to the one before it.
const auditLockKey = 0x5354_4146_4155_4449

// AppendAudit appends entries to the audit log inside tx, chaining each to
// the previous row. The caller's transaction makes the entries atomic with
// the change they describe.
func AppendAudit(ctx context.Context, tx pgx.Tx, entries ...AuditEntry) error {
	if len(entries) == 0 {
		return nil
	}
	q := db.New(tx)
	if err := q.LockAudit(ctx, auditLockKey); err != nil {
		return fmt.Errorf("locking audit log: %w", err)
	}
	var seq int64
	prev := make([]byte, sha256.Size)
	head, err := q.AuditHead(ctx)
	switch {
	case err == nil:
		seq, prev = head.Seq, head.Hash
	case !errors.Is(err, pgx.ErrNoRows):
		return fmt.Errorf("reading audit log head: %w", err)
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	rows := make([]db.AppendAuditParams, 0, len(entries))
	names := map[uuid.UUID]string{}
	for _, e := range entries {
		if err := e.resolvePerson(ctx, q, names); err != nil {
			return err
		}
		seq++
		e.Seq = seq
		if e.At.IsZero() {
			e.At = now
		}
		e.At = e.At.UTC().Truncate(time.Microsecond)
		if len(e.Detail) == 0 {
			e.Detail = json.RawMessage(`{}`)
		}
		e.PrevHash = prev
		e.Hash = e.computeHash()
		prev = e.Hash
		rows = append(rows, db.AppendAuditParams{Seq: e.Seq, At: e.At, Actor: e.Actor, Action: e.Action, ObjectType: e.ObjectType,
			ObjectID: e.ObjectID, Detail: e.Detail, PrevHash: e.PrevHash, Hash: e.Hash,
			ActorAccountID: e.ActorAccountID, ActorName: optionalText(e.ActorName), ActorVia: optionalText(e.ActorVia)})
	}
	if _, err := q.AppendAudit(ctx, rows); err != nil {
		return fmt.Errorf("appending to audit log: %w", err)
	}
	return nil
}

// resolvePerson fills the person behind an "account:<id>:<via>:<credential>"
// actor with their display name as it is now, reading each account once.
func (e *AuditEntry) resolvePerson(ctx context.Context, q *db.Queries, names map[uuid.UUID]string) error {
	account, via, ok := ParseAccountActor(e.Actor)
	if !ok {
		return nil
	}
	name, seen := names[account]
	if !seen {
		var err error
		if name, err = q.AccountName(ctx, account); err != nil {
			return fmt.Errorf("naming the audit row's person: %w", notFound(err))
		}
		names[account] = name
	}
	e.ActorAccountID, e.ActorName, e.ActorVia = &account, name, via
	return nil
}

// ParseAccountActor reads the account and the way of acting out of an
// actor written by auth.AccountActor.
func ParseAccountActor(actor string) (account uuid.UUID, via string, ok bool) {
	rest, found := strings.CutPrefix(actor, "account:")
	if !found {
		return uuid.Nil, "", false
	}
	parts := strings.SplitN(rest, ":", 3)
	if len(parts) != 3 {
		return uuid.Nil, "", false
	}
	id, err := uuid.Parse(parts[0])
	if err != nil || (parts[1] != "token" && parts[1] != "session") {
		return uuid.Nil, "", false
	}
	return id, parts[1], true
}

func optionalText(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// computeHash is sha256 over the previous hash and every field, each field
// length-prefixed so no two different rows hash the same bytes. The
// person's fields are hashed only when present, so the rows written before
// they existed still verify.
func (e AuditEntry) computeHash() []byte {
	h := sha256.New()
	h.Write(e.PrevHash)
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(e.Seq))
	h.Write(n[:])
	fields := []string{e.At.UTC().Format(time.RFC3339Nano), e.Actor, e.Action, e.ObjectType, e.ObjectID, string(e.Detail)}
	if e.ActorVia != "" {
		account := ""
		if e.ActorAccountID != nil {
			account = e.ActorAccountID.String()
		}
		fields = append(fields, account, e.ActorName, e.ActorVia)
	}
	for _, field := range fields {
		binary.BigEndian.PutUint64(n[:], uint64(len(field)))
		h.Write(n[:])
		h.Write([]byte(field))
	}
	return h.Sum(nil)
}

// AuditDamage says where the chain first fails to verify.
type AuditDamage struct {
	Seq    int64  // the first row whose link or content does not verify
	Reason string // what is wrong there
}

// AuditVerification is the outcome of walking the whole chain.
type AuditVerification struct {
	Rows   int64
	Damage *AuditDamage // nil when the chain verifies
}

// VerifyAudit recomputes the hash chain from the first row and reports the
// first place where it breaks: an edited row (its hash no longer matches its
// content), a deleted row (a gap in seq) or reordered rows (a broken link).
func (s *Store) VerifyAudit(ctx context.Context) (AuditVerification, error) {
	rows, err := s.pool.Query(ctx, db.AuditChainSQL)
	if err != nil {
		return AuditVerification{}, err
	}
	defer rows.Close()
	var out AuditVerification
	prev := make([]byte, sha256.Size)
	var expectSeq int64 = 1
	for rows.Next() {
		var e AuditEntry
		var detail string
		var name, via *string
		if err := rows.Scan(&e.Seq, &e.At, &e.Actor, &e.Action, &e.ObjectType, &e.ObjectID, &detail, &e.PrevHash, &e.Hash,
			&e.ActorAccountID, &name, &via); err != nil {
			return out, err
		}
		e.Detail = json.RawMessage(detail)
		e.ActorName, e.ActorVia = deref(name), deref(via)
		out.Rows++
		if out.Damage != nil {
			continue
		}
		switch {
		case e.Seq != expectSeq:
			out.Damage = &AuditDamage{Seq: expectSeq, Reason: fmt.Sprintf("row %d is missing (next row present is %d)", expectSeq, e.Seq)}
		case !bytes.Equal(e.PrevHash, prev):
			out.Damage = &AuditDamage{Seq: e.Seq, Reason: "link to the previous row is broken (rows reordered or replaced)"}
		case !bytes.Equal(e.computeHash(), e.Hash):
			out.Damage = &AuditDamage{Seq: e.Seq, Reason: "content does not match its hash (row edited)"}
		}
		prev = e.Hash
		expectSeq = e.Seq + 1
	}
	return out, rows.Err()
}

// ListAudit returns the audit entries about one object, oldest first.
func ListAudit(ctx context.Context, dbtx DBTX, objectType, objectID string) ([]AuditEntry, error) {
	rows, err := db.New(dbtx).AuditOf(ctx, db.AuditOfParams{ObjectType: objectType, ObjectID: objectID})
	return mapRows(rows, func(r db.AuditOfRow) AuditEntry {
		return AuditEntry{Seq: r.Seq, At: r.At, Actor: r.Actor, Action: r.Action, ObjectType: r.ObjectType, ObjectID: r.ObjectID,
			Detail: json.RawMessage(r.Detail)}
	}), err
}
