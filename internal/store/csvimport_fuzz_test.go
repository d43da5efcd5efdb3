package store

import (
	"bytes"
	"encoding/csv"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stationflow/stationflow/internal/forms"
)

// FuzzCSVRecordSource feeds arbitrary bytes through the CSV importer's row
// reader, the part that stands between an uploaded file and CopyFrom. It
// must never panic, feed only rows that pass the form's rules, and name a
// line (and a message) for everything it refuses.
func FuzzCSVRecordSource(f *testing.F) {
	header := strings.Join(forms.CSVColumns, ",") + "\n"
	f.Add([]byte(header + "2026-10-12,elderly_child_care,visit,3,0,1,0,2,4.5,0,1\n"))
	f.Add([]byte(header + "2026-10-12,knitting,visit,-3,x,1,0,2,4.5,0,1\n2026-13-40,,,,,,,,,,\n"))
	f.Add([]byte(header + "\"unterminated,quote\n"))
	f.Add([]byte("cases,date\n1,2026-01-01\n"))
	f.Add([]byte(header + "2026-10-12,needs_assessment,visit,1e9,0,0,0,0,NaN,Inf,0\n"))
	today := time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		cr := csv.NewReader(bytes.NewReader(data))
		cr.FieldsPerRecord = -1
		headerRow, err := cr.Read()
		if err != nil {
			return // the importer answers an unreadable header before any row
		}
		src, herrs := newCSVRecordSource(cr, headerRow, NewID(), NewID(), today, 1000)
		if herrs != nil {
			for _, e := range herrs.Rows {
				if e.Line != 1 || e.Message == "" {
					t.Fatalf("a header error %+v does not name line 1 with a message", e)
				}
			}
			return
		}
		fed := 0
		for src.Next() {
			values, err := src.Values()
			if err != nil || len(values) != len(recordColumns) {
				t.Fatalf("a fed row has %d values (%v), want %d", len(values), err, len(recordColumns))
			}
			fed++
		}
		if fed > src.rows {
			t.Fatalf("fed %d rows of %d read", fed, src.rows)
		}
		err = src.Err()
		var rows *ImportErrors
		if errors.As(err, &rows) || src.errs.any() {
			for _, e := range src.errs.Rows {
				if e.Line < 2 || e.Message == "" {
					t.Fatalf("a row error %+v names no data line or says nothing", e)
				}
			}
		}
	})
}
