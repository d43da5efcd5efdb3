package api

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/gorilla/mux"

	"github.com/stationflow/stationflow/internal/store"
)

func muxVar(r *http.Request, name string) string { return mux.Vars(r)[name] }

// pageParams reads limit and cursor from the query string.
func pageParams(r *http.Request) (store.Page, error) {
	q := r.URL.Query()
	p := store.Page{Cursor: q.Get("cursor")}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > store.MaxPageSize {
			return p, problem(http.StatusBadRequest, ProblemInvalid, "limit is out of range",
				FieldError{Field: "limit", Message: fmt.Sprintf("must be a whole number from 1 to %d", store.MaxPageSize)})
		}
		p.Limit = n
	}
	return p, nil
}
