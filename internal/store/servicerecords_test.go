package store_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/google/uuid"

	"github.com/stationflow/stationflow/internal/codes"
	"github.com/stationflow/stationflow/internal/forms"
	"github.com/stationflow/stationflow/internal/period"
	"github.com/stationflow/stationflow/internal/store"
	"github.com/stationflow/stationflow/internal/testdb"
)

// recordsToday is the day the record tests run on: the last of 2026Q4.
var recordsToday = time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)

// operatingTownship makes the station chain and an organisation to run the
// township station and its county station.
func operatingTownship(t *testing.T, st *store.Store, seq int) (township, county store.Station, org store.Organisation) {
	t.Helper()
	_, county, township = chain(t, st)
	return township, county, newOrganisation(t, st, seq)
}

func newOrganisation(t testing.TB, st *store.Store, seq int) store.Organisation {
	t.Helper()
	code, err := codes.MakeCreditCode(fmt.Sprintf("52510108MJ%07d", seq))
	if err != nil {
		t.Fatal(err)
	}
	org, err := st.CreateOrganisation(context.Background(), "test", store.Organisation{Name: "阳光社工", CreditCode: code})
	if err != nil {
		t.Fatal(err)
	}
	return org
}

// recordsCSVFile is a valid import of n rows dated through 2026Q4, every
// service line in turn; row i reaches i%7 elderly people and 1 child.
func recordsCSVFile(n int) []byte {
	var b bytes.Buffer
	b.WriteString(strings.Join(forms.CSVColumns, ",") + "\n")
	first := period.Quarter{Year: 2026, N: 4}.First()
	for i := range n {
		day := first.AddDate(0, 0, i%92).Format(time.DateOnly)
		line := forms.ServiceLines[i%len(forms.ServiceLines)]
		fmt.Fprintf(&b, "%s,%s,group_activity,%d,1,0,0,2,3.5,%d.25,%d\n", day, line, i%7, i%50, i%3)
	}
	return b.Bytes()
}

func countRows(t testing.TB, st *store.Store, sql string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := st.DBForTests().QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func auditActions(t testing.TB, st *store.Store, stationID uuid.UUID, action string) []store.AuditEntry {
	t.Helper()
	entries, err := store.ListAudit(context.Background(), st.DBForTests(), "station", stationID.String())
	if err != nil {
		t.Fatal(err)
	}
	var out []store.AuditEntry
	for _, e := range entries {
		if e.Action == action {
			out = append(out, e)
		}
	}
	return out
}

func TestACSVImportStoresEveryRowOnceAndTheSameBytesAgainAreAReplay(t *testing.T) {
	t.Parallel()
	st, _ := testdb.New(t)
	ctx := context.Background()
	township, _, org := operatingTownship(t, st, 1)
	file := recordsCSVFile(1200)

	res, err := st.ImportServiceRecordsCSV(ctx, "org:test", township.ID, org.ID, bytes.NewReader(file), recordsToday, 5000)
	if err != nil {
		t.Fatal(err)
	}
	if res.Imported != 1200 || res.Replayed || res.ImportID == uuid.Nil {
		t.Fatalf("import %+v, want 1200 new rows", res)
	}
	if n, err := st.CountServiceRecords(ctx, township.ID); err != nil || n != 1200 {
		t.Fatalf("%d records stored (%v), want 1200", n, err)
	}
	var minLine, maxLine int
	var elderly int64
	if err := st.DBForTests().QueryRow(ctx, `SELECT min(line), max(line), sum(beneficiaries_elderly) FROM service_records WHERE import_id = $1`,
		res.ImportID).Scan(&minLine, &maxLine, &elderly); err != nil {
		t.Fatal(err)
	}
	var wantElderly int64
	for i := range 1200 {
		wantElderly += int64(i % 7)
	}
	if minLine != 2 || maxLine != 1201 || elderly != wantElderly {
		t.Fatalf("lines %d..%d and %d elderly stored, want lines 2..1201 and %d", minLine, maxLine, elderly, wantElderly)
	}
	var source string
	var rows int64
	var digestLen int
	if err := st.DBForTests().QueryRow(ctx, `SELECT source, rows, length(sha256) FROM service_record_imports WHERE id = $1`, res.ImportID).
		Scan(&source, &rows, &digestLen); err != nil || source != "csv" || rows != 1200 || digestLen != 32 {
		t.Fatalf("import row: %s %d %d (%v)", source, rows, digestLen, err)
	}
	audits := auditActions(t, st, township.ID, "service_records.imported")
	if len(audits) != 1 {
		t.Fatalf("%d import audit rows, want 1", len(audits))
	}
	var detail map[string]any
	if err := json.Unmarshal(audits[0].Detail, &detail); err != nil || detail["import_id"] != res.ImportID.String() ||
		detail["rows"] != float64(1200) || detail["source"] != "csv" {
		t.Fatalf("audit detail %s (%v)", audits[0].Detail, err)
	}

	again, err := st.ImportServiceRecordsCSV(ctx, "org:test", township.ID, org.ID, bytes.NewReader(file), recordsToday, 5000)
	if err != nil {
		t.Fatal(err)
	}
	if !again.Replayed || again.ImportID != res.ImportID || again.Imported != 1200 {
		t.Fatalf("re-sent import %+v, want a replay of %+v", again, res)
	}
	if n, _ := st.CountServiceRecords(ctx, township.ID); n != 1200 {
		t.Fatalf("%d records after the replay, want still 1200", n)
	}
	if n := countRows(t, st, `SELECT count(*) FROM service_record_imports`); n != 1 {
		t.Fatalf("%d import rows after the replay, want 1", n)
	}
	if audits := auditActions(t, st, township.ID, "service_records.imported"); len(audits) != 1 {
		t.Fatalf("a replay was audited: %d rows", len(audits))
	}
}

func TestABadCSVIsRefusedWholeWithEveryBadLineAndColumn(t *testing.T) {
	t.Parallel()
	st, _ := testdb.New(t)
	ctx := context.Background()
	township, _, org := operatingTownship(t, st, 2)
	lines := strings.Split(strings.TrimSuffix(string(recordsCSVFile(15)), "\n"), "\n") // lines[i] is line i+1
	replaceField := func(line, field int, v string) {
		f := strings.Split(lines[line-1], ",")
		f[field] = v
		lines[line-1] = strings.Join(f, ",")
	}
	replaceField(5, 0, "2026-13-01")
	replaceField(9, 1, "knitting")
	replaceField(12, 4, "-4")
	lines[13] = lines[13][:strings.LastIndexByte(lines[13], ',')] // line 14: 10 fields
	replaceField(15, 7, "two")
	replaceField(16, 0, "2027-01-01") // after today
	file := strings.Join(lines, "\n") + "\n"

	_, err := st.ImportServiceRecordsCSV(ctx, "org:test", township.ID, org.ID, strings.NewReader(file), recordsToday, 5000)
	var bad *store.ImportErrors
	if !errors.As(err, &bad) {
		t.Fatalf("a file with bad rows: %v, want *ImportErrors", err)
	}
	want := []struct {
		line   int
		column string
	}{{5, "date"}, {9, "service_line"}, {12, "beneficiaries_children"}, {14, ""}, {15, "volunteers"}, {16, "date"}}
	if len(bad.Rows) != len(want) || bad.Truncated {
		t.Fatalf("errors %+v, want %v", bad.Rows, want)
	}
	for i, w := range want {
		if got := bad.Rows[i]; got.Line != w.line || got.Column != w.column || got.Message == "" {
			t.Errorf("error %d: %+v, want line %d column %q", i, got, w.line, w.column)
		}
	}
	if n := countRows(t, st, `SELECT count(*) FROM service_records`); n != 0 {
		t.Fatalf("%d records stored from a refused file, want none", n)
	}
	if n := countRows(t, st, `SELECT count(*) FROM service_record_imports`); n != 0 {
		t.Fatalf("%d imports stored from a refused file, want none", n)
	}
	if audits := auditActions(t, st, township.ID, "service_records.imported"); len(audits) != 0 {
		t.Fatalf("a refused import was audited")
	}

	// A file of many bad rows lists the first MaxImportErrors and says so.
	var many strings.Builder
	many.WriteString(strings.Join(forms.CSVColumns, ",") + "\n")
	for range store.MaxImportErrors + 50 {
		many.WriteString("2026-12-01,needs_assessment,visit,-1,0,0,0,0,0,0,0\n")
	}
	_, err = st.ImportServiceRecordsCSV(ctx, "org:test", township.ID, org.ID, strings.NewReader(many.String()), recordsToday, 5000)
	if !errors.As(err, &bad) || len(bad.Rows) != store.MaxImportErrors || !bad.Truncated || bad.Rows[0].Line != 2 {
		t.Fatalf("many bad rows: %v", err)
	}
}

func TestACSVHeaderIsMappedByNameAndItsFaultsAreLineOne(t *testing.T) {
	t.Parallel()
	st, _ := testdb.New(t)
	ctx := context.Background()
	township, _, org := operatingTownship(t, st, 3)
	imp := func(body string, maxRows int) (store.ImportResult, error) {
		return st.ImportServiceRecordsCSV(ctx, "org:test", township.ID, org.ID, strings.NewReader(body), recordsToday, maxRows)
	}
	headerFault := func(name, body string, column string) {
		t.Helper()
		_, err := imp(body, 100)
		var bad *store.ImportErrors
		if !errors.As(err, &bad) || len(bad.Rows) == 0 || bad.Rows[0].Line != 1 || bad.Rows[0].Column != column {
			t.Errorf("%s: %v, want an error at line 1 column %q", name, err, column)
		}
	}
	row := "2026-12-01,needs_assessment,visit,1,2,3,4,5,6.5,7.25,8\n"
	header := strings.Join(forms.CSVColumns, ",") + "\n"
	headerFault("a missing column", strings.TrimSuffix(header, ",cases\n")+"\n"+strings.TrimSuffix(row, ",8\n")+"\n", "cases")
	headerFault("an unknown column", strings.TrimSuffix(header, "\n")+",name\n"+strings.TrimSuffix(row, "\n")+",张三\n", "name")
	headerFault("a repeated column", strings.TrimSuffix(header, "\n")+",cases\n"+strings.TrimSuffix(row, "\n")+",8\n", "cases")
	headerFault("an empty file", "", "")

	if _, err := imp(header, 100); !isImportError(err, 2, "") {
		t.Errorf("a header without records: %v", err)
	}
	if _, err := imp(header+strings.Repeat(row, 4), 3); !isImportError(err, 5, "") {
		t.Errorf("4 rows where 3 are allowed: %v, want an error at line 5", err)
	}

	// Columns in another order, a byte-order mark and CRLF line ends.
	reordered := "\ufeffcases,resources_yuan,volunteer_hours,volunteers,beneficiaries_hardship,beneficiaries_disabled," +
		"beneficiaries_children,beneficiaries_elderly,activity_type,service_line,date\r\n" +
		"8,7.25,6.5,5,4,3,2,1,visit,needs_assessment,2026-12-01\r\n"
	res, err := imp(reordered, 100)
	if err != nil || res.Imported != 1 {
		t.Fatalf("a reordered file with a BOM: %+v %v", res, err)
	}
	list, err := st.ListServiceRecords(ctx, township.ID, recordsToday.AddDate(0, -1, 0), recordsToday, store.Page{})
	if err != nil || len(list.Items) != 1 {
		t.Fatalf("listing: %+v %v", list, err)
	}
	got := list.Items[0]
	wantRec := forms.ServiceRecord{Date: "2026-12-01", ServiceLine: "needs_assessment", ActivityType: "visit",
		Beneficiaries: forms.Beneficiaries{Elderly: 1, Children: 2, Disabled: 3, Hardship: 4}, Volunteers: 5, VolunteerHours: 6.5, ResourcesYuan: 7.25, Cases: 8}
	if gotRec := (forms.ServiceRecord{Date: got.Date.Format(time.DateOnly), ServiceLine: got.ServiceLine, ActivityType: got.ActivityType,
		Beneficiaries: got.Beneficiaries, Volunteers: got.Volunteers, VolunteerHours: got.VolunteerHours, ResourcesYuan: got.ResourcesYuan,
		Cases: got.Cases}); gotRec != wantRec || got.Line != 2 || got.ImportID != res.ImportID {
		t.Fatalf("stored %+v, want %+v at line 2", got, wantRec)
	}
	b, _ := json.Marshal(got)
	if !strings.Contains(string(b), `"date":"2026-12-01"`) {
		t.Fatalf("record JSON %s has no plain date", b)
	}
	var back store.ServiceRecord
	if err := json.Unmarshal(b, &back); err != nil || !back.Date.Equal(got.Date) || back.ID != got.ID {
		t.Fatalf("record JSON does not read back: %+v %v", back, err)
	}

	// A reader that fails is an error of its own, never a list of rows.
	broken := io.MultiReader(strings.NewReader(header+row), iotest.ErrReader(io.ErrClosedPipe))
	_, err = st.ImportServiceRecordsCSV(ctx, "org:test", township.ID, org.ID, broken, recordsToday, 100)
	var bad *store.ImportErrors
	if !errors.Is(err, io.ErrClosedPipe) || errors.As(err, &bad) {
		t.Fatalf("a failing reader: %v", err)
	}
	if n, _ := st.CountServiceRecords(ctx, township.ID); n != 1 {
		t.Fatalf("%d records, want the one good import", n)
	}
}

func isImportError(err error, line int, column string) bool {
	var bad *store.ImportErrors
	return errors.As(err, &bad) && len(bad.Rows) == 1 && bad.Rows[0].Line == line && bad.Rows[0].Column == column
}

func TestAJSONBatchIsStoredOnceAndReplayed(t *testing.T) {
	t.Parallel()
	st, _ := testdb.New(t)
	ctx := context.Background()
	township, _, org := operatingTownship(t, st, 4)
	recs := []forms.ServiceRecord{
		{Date: "2026-12-01", ServiceLine: "social_assistance", ActivityType: "visit", Beneficiaries: forms.Beneficiaries{Hardship: 2}},
		{Date: "2026-12-02", ServiceLine: "resource_linking", ActivityType: "donation", ResourcesYuan: 1200.5},
	}
	digest := [32]byte{1, 2, 3}
	res, err := st.AddServiceRecords(ctx, "org:test", township.ID, org.ID, digest, recs)
	if err != nil || res.Imported != 2 || res.Replayed {
		t.Fatalf("batch: %+v %v", res, err)
	}
	again, err := st.AddServiceRecords(ctx, "org:test", township.ID, org.ID, digest, recs)
	if err != nil || !again.Replayed || again.ImportID != res.ImportID || again.Imported != 2 {
		t.Fatalf("the batch again: %+v %v, want a replay of %s", again, err, res.ImportID)
	}
	if n, _ := st.CountServiceRecords(ctx, township.ID); n != 2 {
		t.Fatalf("%d records, want 2", n)
	}
	var lines []int
	var source string
	rows, _ := st.DBForTests().Query(ctx, `SELECT r.line, i.source FROM service_records r JOIN service_record_imports i ON i.id = r.import_id ORDER BY line`)
	for rows.Next() {
		var l int
		if err := rows.Scan(&l, &source); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, l)
	}
	if !slices.Equal(lines, []int{1, 2}) || source != "json" {
		t.Fatalf("lines %v from %q, want 1,2 from json", lines, source)
	}
	if audits := auditActions(t, st, township.ID, "service_records.imported"); len(audits) != 1 {
		t.Fatalf("%d audit rows, want 1", len(audits))
	}
}

func TestAnEvidenceFileIsSavedOncePerStationAndQuarter(t *testing.T) {
	t.Parallel()
	st, _ := testdb.New(t)
	ctx := context.Background()
	township, _, org := operatingTownship(t, st, 5)
	f := store.StationFile{StationID: township.ID, OrganisationID: org.ID, Kind: store.FileSignInSheet,
		EvidenceDate: time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC), Filename: "王芳的签到表.png", ContentType: "image/png", Content: []byte("png bytes")}
	first, err := st.SaveStationFile(ctx, "org:test", f)
	if err != nil {
		t.Fatal(err)
	}
	if first.Period != "2026Q4" || first.EvidenceDate != "2026-11-03" || first.Kind != store.FileSignInSheet || first.SizeBytes != 9 ||
		len(first.SHA256) != 64 {
		t.Fatalf("saved %+v", first)
	}
	f.EvidenceDate = time.Date(2026, 12, 20, 0, 0, 0, 0, time.UTC) // same quarter
	second, err := st.SaveStationFile(ctx, "org:test", f)
	if err != nil || second.ID != first.ID {
		t.Fatalf("the same bytes again: %+v %v, want file %s", second, err, first.ID)
	}
	if n := countRows(t, st, `SELECT count(*) FROM files WHERE station_id = $1`, township.ID); n != 1 {
		t.Fatalf("%d files, want 1", n)
	}
	audits := auditActions(t, st, township.ID, "evidence_file.saved")
	if len(audits) != 1 || strings.Contains(string(audits[0].Detail), "签到") || !strings.Contains(string(audits[0].Detail), first.SHA256) {
		t.Fatalf("audit rows %+v, want one naming the digest but not the file", audits)
	}
	f.EvidenceDate = time.Date(2026, 5, 20, 0, 0, 0, 0, time.UTC) // another quarter: filed again there
	other, err := st.SaveStationFile(ctx, "org:test", f)
	if err != nil || other.ID == first.ID || other.Period != "2026Q2" {
		t.Fatalf("the same bytes in another quarter: %+v %v", other, err)
	}
}

func insertContract(t testing.TB, st *store.Store, stationID, orgID uuid.UUID, start, end string, targets string) uuid.UUID {
	t.Helper()
	id := store.NewID()
	if _, err := st.DBForTests().Exec(context.Background(), `INSERT INTO contracts (id, station_id, organisation_id, term_start, term_end, targets)
		VALUES ($1, $2, $3, $4, $5, $6)`, id, stationID, orgID, start, end, targets); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestTheEvidencePackAddsUpTheQuarterAgainstTheProRatedTargets(t *testing.T) {
	t.Parallel()
	st, _ := testdb.New(t)
	ctx := context.Background()
	township, county, org := operatingTownship(t, st, 6)
	// An older contract also meets the quarter; the later one is taken.
	insertContract(t, st, township.ID, org.ID, "2025-11-16", "2026-11-15", `{"needs_assessment": 999}`)
	// 2026-11-16..2027-11-15 is 365 days, 46 of them in 2026Q4.
	contract := insertContract(t, st, township.ID, org.ID, "2026-11-16", "2027-11-15",
		`{"needs_assessment": 200, "resource_linking": 50000, "social_assistance": 0, "elderly_child_care": 365, "community_governance": 100}`)
	rec := func(date, line string, b forms.Beneficiaries, volunteers int, hours, yuan float64, cases int) forms.ServiceRecord {
		return forms.ServiceRecord{Date: date, ServiceLine: line, ActivityType: "visit", Beneficiaries: b, Volunteers: volunteers,
			VolunteerHours: hours, ResourcesYuan: yuan, Cases: cases}
	}
	recs := []forms.ServiceRecord{
		rec("2026-11-20", "needs_assessment", forms.Beneficiaries{Elderly: 3, Children: 2}, 1, 2.5, 0, 1),
		rec("2026-12-01", "needs_assessment", forms.Beneficiaries{Disabled: 4, Hardship: 1}, 0, 0, 0, 0),
		rec("2026-11-15", "needs_assessment", forms.Beneficiaries{Elderly: 50}, 0, 0, 0, 0), // before the term
		rec("2026-11-16", "resource_linking", forms.Beneficiaries{Children: 1}, 0, 0, 150.25, 0),
		rec("2026-12-15", "resource_linking", forms.Beneficiaries{}, 2, 1.25, 3000.50, 0),
		rec("2026-12-31", "elderly_child_care", forms.Beneficiaries{Elderly: 46}, 2, 3.5, 0, 2),
		rec("2027-01-02", "community_governance", forms.Beneficiaries{Elderly: 9}, 0, 0, 0, 0), // next quarter
	}
	if _, err := st.AddServiceRecords(ctx, "org:test", township.ID, org.ID, [32]byte{1}, recs); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddServiceRecords(ctx, "org:test", county.ID, org.ID, [32]byte{1}, recs[:1]); err != nil {
		t.Fatal(err)
	}
	photo := []byte("a photo of the group")
	save := func(stationID uuid.UUID, date time.Time, content []byte) store.EvidenceFile {
		t.Helper()
		f, err := st.SaveStationFile(ctx, "org:test", store.StationFile{StationID: stationID, OrganisationID: org.ID, Kind: store.FilePhoto,
			EvidenceDate: date, Filename: "p.jpg", ContentType: "image/jpeg", Content: content})
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	reused := save(township.ID, time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC), photo)
	earlier := save(township.ID, time.Date(2026, 5, 2, 0, 0, 0, 0, time.UTC), photo)
	fresh := save(township.ID, time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC), []byte("only once"))

	pack, err := st.EvidencePack(ctx, township.ID, period.Quarter{Year: 2026, N: 4})
	if err != nil {
		t.Fatal(err)
	}
	if pack.Quarter != "2026Q4" || pack.From != "2026-11-16" || pack.To != "2026-12-31" || pack.ContractID == nil || *pack.ContractID != contract {
		t.Fatalf("pack covers %s %s..%s under %v, want 2026Q4 2026-11-16..2026-12-31 under %s", pack.Quarter, pack.From, pack.To, pack.ContractID, contract)
	}
	ptr := func(f float64) *float64 { return &f }
	want := []struct {
		line      string
		records   int64
		measure   string
		achieved  float64
		target    *float64
		coverage  *float64
		noRecords bool
	}{
		{"needs_assessment", 2, "people", 10, ptr(25.21), ptr(0.3967), false},      // 200*46/365 = 25.205; 10/25.21
		{"resource_linking", 2, "yuan", 3150.75, ptr(6301.37), ptr(0.5000), false}, // 50000*46/365 = 6301.369
		{"social_assistance", 0, "people", 0, ptr(0), nil, true},                   // a zero target has no coverage
		{"elderly_child_care", 1, "people", 46, ptr(46), ptr(1), false},            // 365*46/365
		{"community_governance", 0, "people", 0, ptr(12.60), ptr(0), true},         // 100*46/365 = 12.603
		{"industry_development", 0, "people", 0, nil, nil, true},                   // no target in the contract
	}
	if len(pack.Lines) != 6 {
		t.Fatalf("%d service lines, want 6", len(pack.Lines))
	}
	eqPtr := func(a, b *float64) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }
	show := func(p *float64) string {
		if p == nil {
			return "nil"
		}
		return fmt.Sprint(*p)
	}
	for i, w := range want {
		got := pack.Lines[i]
		if got.ServiceLine != w.line || got.Records != w.records || got.Measure != w.measure || got.Achieved != w.achieved ||
			!eqPtr(got.Target, w.target) || !eqPtr(got.Coverage, w.coverage) || got.NoRecords != w.noRecords {
			t.Errorf("%s: records %d %s achieved %v target %s coverage %s none %v; want %+v", got.ServiceLine, got.Records, got.Measure,
				got.Achieved, show(got.Target), show(got.Coverage), got.NoRecords, w)
		}
	}
	na := pack.Lines[0]
	if na.BeneficiariesElderly != 3 || na.BeneficiariesChildren != 2 || na.BeneficiariesDisabled != 4 || na.BeneficiariesHardship != 1 ||
		na.Volunteers != 1 || na.VolunteerHours != 2.5 || na.Cases != 1 {
		t.Errorf("needs_assessment totals %+v", na.LineTotals)
	}
	wantTotals := store.LineTotals{Records: 5, BeneficiariesElderly: 49, BeneficiariesChildren: 3, BeneficiariesDisabled: 4,
		BeneficiariesHardship: 1, Beneficiaries: 57, Volunteers: 5, VolunteerHours: 7.25, ResourcesYuan: 3150.75, Cases: 3}
	if pack.Totals != wantTotals {
		t.Errorf("totals %+v, want %+v", pack.Totals, wantTotals)
	}
	for _, flag := range []string{"no records for social_assistance", "no records for community_governance",
		"no records for industry_development", fmt.Sprintf("file %s was also used in 2026Q2", reused.ID)} {
		if !slices.Contains(pack.Flags, flag) {
			t.Errorf("flags %q lack %q", pack.Flags, flag)
		}
	}
	if len(pack.Flags) != 4 {
		t.Errorf("flags %q, want exactly 4", pack.Flags)
	}
	if len(pack.Files) != 2 || pack.Files[0].ID != reused.ID || pack.Files[1].ID != fresh.ID {
		t.Fatalf("files %+v, want the reused photo then the fresh one", pack.Files)
	}
	if f := pack.Files[0]; !f.Duplicate || len(f.AlsoUsedIn) != 1 || f.AlsoUsedIn[0] != (store.FileUse{StationID: township.ID, Period: "2026Q2", FileID: earlier.ID}) {
		t.Errorf("reused photo %+v", f)
	}
	if f := pack.Files[1]; f.Duplicate || f.AlsoUsedIn == nil || len(f.AlsoUsedIn) != 0 {
		t.Errorf("fresh file %+v", f)
	}

	// Bytes filed at another station are a duplicate there and here.
	save(county.ID, time.Date(2026, 10, 9, 0, 0, 0, 0, time.UTC), []byte("only once"))
	pack, err = st.EvidencePack(ctx, township.ID, period.Quarter{Year: 2026, N: 4})
	if err != nil || !pack.Files[1].Duplicate || pack.Files[1].AlsoUsedIn[0].StationID != county.ID {
		t.Fatalf("a file also filed at the county station: %+v %v", pack.Files, err)
	}

	// Without a contract: the whole quarter, no targets.
	bare, err := st.EvidencePack(ctx, county.ID, period.Quarter{Year: 2026, N: 4})
	if err != nil {
		t.Fatal(err)
	}
	if bare.ContractID != nil || bare.From != "2026-10-01" || bare.To != "2026-12-31" || bare.Lines[0].Records != 1 ||
		bare.Lines[0].Target != nil || bare.Lines[0].Coverage != nil || !slices.Contains(bare.Flags, "no contract covers 2026Q4; there are no targets to measure against") {
		t.Fatalf("pack without a contract: %+v", bare)
	}
	b, err := json.Marshal(bare)
	if err != nil || !strings.Contains(string(b), `"service_lines":[{"service_line":"needs_assessment","records":1,`) ||
		!strings.Contains(string(b), `"target":null`) {
		t.Fatalf("pack JSON %s (%v)", b, err)
	}
}

func TestForeignEvidenceIsWhatIsNotTheStationsInTheQuarter(t *testing.T) {
	t.Parallel()
	st, _ := testdb.New(t)
	ctx := context.Background()
	township, county, org := operatingTownship(t, st, 7)
	add := func(stationID uuid.UUID, date string, digest byte) uuid.UUID {
		t.Helper()
		if _, err := st.AddServiceRecords(ctx, "org:test", stationID, org.ID, [32]byte{digest},
			[]forms.ServiceRecord{{Date: date, ServiceLine: "needs_assessment", ActivityType: "visit"}}); err != nil {
			t.Fatal(err)
		}
		d, _ := time.Parse(time.DateOnly, date)
		list, err := st.ListServiceRecords(ctx, stationID, d, d, store.Page{})
		if err != nil || len(list.Items) != 1 {
			t.Fatalf("listing %s: %+v %v", date, list, err)
		}
		return list.Items[0].ID
	}
	own := add(township.ID, "2026-11-02", 1)
	lastQuarter := add(township.ID, "2026-09-30", 2)
	neighbours := add(county.ID, "2026-11-02", 3)
	file, err := st.SaveStationFile(ctx, "org:test", store.StationFile{StationID: township.ID, OrganisationID: org.ID, Kind: store.FilePhoto,
		EvidenceDate: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), Filename: "a.png", ContentType: "image/png", Content: []byte("x")})
	if err != nil {
		t.Fatal(err)
	}
	unknown := store.NewID()
	q := period.Quarter{Year: 2026, N: 4}
	foreign, err := st.ForeignEvidence(ctx, township.ID, &q, []uuid.UUID{own, file.ID, lastQuarter, neighbours, unknown, neighbours})
	if err != nil || !slices.Equal(foreign, []uuid.UUID{lastQuarter, neighbours, unknown}) {
		t.Fatalf("foreign in 2026Q4: %v %v, want %v", foreign, err, []uuid.UUID{lastQuarter, neighbours, unknown})
	}
	foreign, err = st.ForeignEvidence(ctx, township.ID, nil, []uuid.UUID{own, file.ID, lastQuarter, neighbours})
	if err != nil || !slices.Equal(foreign, []uuid.UUID{neighbours}) {
		t.Fatalf("foreign in any quarter: %v %v, want only the neighbour's record", foreign, err)
	}
	if foreign, err := st.ForeignEvidence(ctx, township.ID, &q, []uuid.UUID{own}); err != nil || len(foreign) != 0 {
		t.Fatalf("own record: %v %v", foreign, err)
	}
}
