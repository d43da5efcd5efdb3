package store_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stationflow/stationflow/internal/forms"
	"github.com/stationflow/stationflow/internal/period"
	"github.com/stationflow/stationflow/internal/store"
	"github.com/stationflow/stationflow/internal/testdb"
)

// benchRows is the size of the benchmark's import.
const benchRows = 100_000

// BenchmarkImportCSV imports a 100,000-row file through
// ImportServiceRecordsCSV (parsing, checking, digest, COPY, audit, one
// transaction) into a fresh station each time, and loads the same file
// with psql's \copy into a bare table with the same columns and no checks,
// the fastest plain load there is. It reports both speeds and their ratio,
// and how long the evidence pack over the imported quarter takes.
func BenchmarkImportCSV(b *testing.B) {
	psql, err := exec.LookPath("psql")
	if err != nil {
		b.Fatalf("BenchmarkImportCSV compares with psql's \\copy, and psql is not on PATH: install the PostgreSQL client (%v)", err)
	}
	st, url := testdb.New(b)
	ctx := context.Background()

	file := filepath.Join(b.TempDir(), "records.csv")
	if err := os.WriteFile(file, recordsCSVFile(benchRows), 0o600); err != nil {
		b.Fatal(err)
	}
	city, err := st.CreateStation(ctx, "bench", store.Station{Name: "市中心", Level: "city_centre", RegionCode: "5101"})
	if err != nil {
		b.Fatal(err)
	}
	county, err := st.CreateStation(ctx, "bench", store.Station{Name: "区总站", Level: "county_station", RegionCode: "510108", ParentID: &city.ID})
	if err != nil {
		b.Fatal(err)
	}
	org := newOrganisation(b, st, 99)
	if _, err := st.DBForTests().Exec(ctx, `CREATE TABLE bench_copy (date date, service_line text, activity_type text,
		beneficiaries_elderly int, beneficiaries_children int, beneficiaries_disabled int, beneficiaries_hardship int,
		volunteers int, volunteer_hours numeric(12, 2), resources_yuan numeric(14, 2), cases int)`); err != nil {
		b.Fatal(err)
	}
	copyCmd := fmt.Sprintf(`\copy bench_copy(%s) FROM '%s' WITH (FORMAT csv, HEADER true)`, strings.Join(forms.CSVColumns, ","), file)

	var ours, theirs time.Duration
	var last store.Station
	stations := 0
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		stations++
		last, err = st.CreateStation(ctx, "bench", store.Station{Name: "街道站", Level: "township_station",
			RegionCode: fmt.Sprintf("510108%03d", stations), ParentID: &county.ID})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := st.DBForTests().Exec(ctx, `TRUNCATE bench_copy`); err != nil {
			b.Fatal(err)
		}
		f, err := os.Open(file)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()

		start := time.Now()
		res, err := st.ImportServiceRecordsCSV(ctx, "bench", last.ID, org.ID, f, recordsToday, 2*benchRows)
		ours += time.Since(start)
		f.Close()
		if err != nil || res.Imported != benchRows || res.Replayed {
			b.Fatalf("import: %+v %v", res, err)
		}

		start = time.Now()
		out, err := exec.CommandContext(ctx, psql, url, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", copyCmd).CombinedOutput()
		theirs += time.Since(start)
		if err != nil {
			b.Fatalf("psql \\copy: %v: %s", err, out)
		}
	}
	b.StopTimer()
	var copied int64
	if err := st.DBForTests().QueryRow(ctx, `SELECT count(*) FROM bench_copy`).Scan(&copied); err != nil || copied != benchRows {
		b.Fatalf("psql copied %d rows (%v), want %d", copied, err, benchRows)
	}
	start := time.Now()
	pack, err := st.EvidencePack(ctx, last.ID, period.Quarter{Year: 2026, N: 4})
	packTime := time.Since(start)
	if err != nil || pack.Totals.Records != benchRows {
		b.Fatalf("evidence pack over the import: %d records (%v)", pack.Totals.Records, err)
	}

	rows := float64(benchRows) * float64(b.N)
	ourRate, theirRate := rows/ours.Seconds(), rows/theirs.Seconds()
	b.ReportMetric(ourRate, "rows/s")
	b.ReportMetric(theirRate, "psql_rows/s")
	b.ReportMetric(ourRate/theirRate, "ratio")
	b.ReportMetric(float64(packTime.Microseconds())/1000, "pack_ms")
}
