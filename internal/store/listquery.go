package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// query builds a SELECT with optional conditions, numbering placeholders
// as they are added, for the lists whose filters a request chooses (the
// <area>Columns constant beside each list is its select list). Conditions
// are fixed SQL written here; values always go in as arguments.
type query struct {
	base  string
	where []string
	args  []any
}

func newQuery(base string) *query { return &query{base: base} }

// whereIf adds cond (with "?" standing for its one argument, or none) when ok.
func (q *query) whereIf(ok bool, cond string, arg ...any) {
	if !ok {
		return
	}
	for _, a := range arg {
		q.args = append(q.args, a)
		cond = strings.Replace(cond, "?", fmt.Sprintf("$%d", len(q.args)), 1)
	}
	q.where = append(q.where, cond)
}

func (q *query) sql(orderLimit string) string {
	s := q.base
	if len(q.where) > 0 {
		s += " WHERE " + strings.Join(q.where, " AND ")
	}
	return s + " " + orderLimit
}

// listPage runs q ordered by id after the page's cursor and returns one
// page.
func listPage[T any](ctx context.Context, db DBTX, q *query, p Page, scan pgx.RowToFunc[T], key func(T) uuid.UUID) (List[T], error) {
	limit := p.limit()
	q.whereIf(p.After != uuid.Nil, "id > ?", p.After)
	q.args = append(q.args, limit+1)
	rows, err := db.Query(ctx, q.sql(fmt.Sprintf("ORDER BY id LIMIT $%d", len(q.args))), q.args...)
	if err != nil {
		return List[T]{}, err
	}
	items, err := pgx.CollectRows(rows, scan)
	if err != nil {
		return List[T]{}, err
	}
	return pageOf(items, limit, key), nil
}
