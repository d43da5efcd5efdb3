package api

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"

	"github.com/stationflow/stationflow/internal/forms"
	"github.com/stationflow/stationflow/internal/store"
	"github.com/stationflow/stationflow/internal/usecase"
)

// Evidence: the service records an operating organisation records for its
// station, sent as a JSON batch or imported as CSV, and the evidence of a
// quarter or a year as the station's office, organisation and supervisors
// see it.

// Limits on evidence.
const (
	MaxRecordBatchBytes = 4 << 20  // a JSON batch of service records
	MaxImportBytes      = 64 << 20 // a CSV import
	MaxImportRows       = usecase.MaxImportRows
)

func (s *Server) addServiceRecords(w http.ResponseWriter, r *http.Request) error {
	res, err := s.cases().AddServiceRecords(r.Context(), principal(r), pathID(r), func() (usecase.RecordBatch, error) {
		var batch usecase.RecordBatch
		raw, err := readJSON(w, r, MaxRecordBatchBytes)
		if err != nil {
			return batch, err
		}
		if derr := forms.DecodeRequestBytes(raw, &batch.ServiceRecordBatch); derr != nil {
			return batch, decodeProblem(derr, "the body could not be read as a batch of service records")
		}
		batch.Digest = sha256.Sum256(raw)
		return batch, nil
	})
	return writeImport(w, res, err)
}

// writeImport answers 201 for records written, 200 for a batch sent again.
func writeImport(w http.ResponseWriter, res store.ImportResult, err error) error {
	status := http.StatusCreated
	if res.Replayed {
		status = http.StatusOK
	}
	return answer(w, status, res, err)
}

// importServiceRecords streams a CSV into the station's records. A bad row
// fails the whole import with every bad line and column listed.
func (s *Server) importServiceRecords(w http.ResponseWriter, r *http.Request) error {
	res, err := s.cases().ImportServiceRecords(r.Context(), principal(r), pathID(r), func() (io.Reader, error) {
		if ct := r.Header.Get("Content-Type"); ct != "" {
			if mt, _, err := mime.ParseMediaType(ct); err != nil || (mt != "text/csv" && mt != "application/csv") {
				return nil, problem(http.StatusUnsupportedMediaType, ProblemMalformed, "send the records as text/csv",
					FieldError{Field: "Content-Type", Message: "must be text/csv"})
			}
		}
		return http.MaxBytesReader(w, r.Body, MaxImportBytes), nil
	})
	var rows *store.ImportErrors
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return problem(http.StatusRequestEntityTooLarge, ProblemTooLarge, fmt.Sprintf("an import may hold at most %d bytes", MaxImportBytes),
			FieldError{Field: "body", Message: "too large"})
	case errors.As(err, &rows):
		writeProblem(w, r, importProblem(rows))
		return nil
	}
	return writeImport(w, res, err)
}

// importProblem is a 422 that lists each bad row by line and column.
func importProblem(rows *store.ImportErrors) Problem {
	detail := fmt.Sprintf("%d rows break a rule; nothing was imported", len(rows.Rows))
	if rows.Truncated {
		detail = fmt.Sprintf("more than %d rows break a rule; nothing was imported", len(rows.Rows))
	}
	fields := make([]FieldError, len(rows.Rows))
	for i, e := range rows.Rows {
		fields[i] = FieldError{Field: e.Column, Message: e.Message, Line: e.Line, Column: e.Column}
	}
	return Problem{Type: ProblemInvalid, Title: problemTitles[ProblemInvalid], Status: http.StatusUnprocessableEntity,
		Detail: detail, Errors: fields}
}

// getEvidence answers a quarter's evidence pack (?quarter=, by default the
// quarter under supervision now) or, with ?year=, the year's evidence.
func (s *Server) getEvidence(w http.ResponseWriter, r *http.Request) error {
	ev, err := s.cases().Evidence(r.Context(), principal(r), pathID(r), func() (usecase.EvidenceQuery, error) {
		year, err := optional(r, "year", 0, yearParam)
		if err != nil || year != 0 {
			return usecase.EvidenceQuery{Year: year}, err
		}
		q, err := optional(r, "quarter", lastQuarter(), quarterParam)
		return usecase.EvidenceQuery{Quarter: q}, err
	})
	if ev.Year != nil {
		return answer(w, http.StatusOK, ev.Year, err)
	}
	return answer(w, http.StatusOK, ev.Quarter, err)
}
