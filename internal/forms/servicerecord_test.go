package forms

import (
	"strings"
	"testing"
	"time"
)

var recordDay = time.Date(2026, 11, 20, 15, 0, 0, 0, time.UTC)

func goodRecord() ServiceRecord {
	return ServiceRecord{Date: "2026-11-20", ServiceLine: "elderly_child_care", ActivityType: "home_visit",
		Beneficiaries: Beneficiaries{Elderly: 3, Children: 1}, Volunteers: 2, VolunteerHours: 4.5, ResourcesYuan: 300, Cases: 1}
}

func TestAGoodServiceRecordBatchPasses(t *testing.T) {
	b := ServiceRecordBatch{Records: []ServiceRecord{goodRecord(), goodRecord()}}
	b.Records[1].Date = "2000-01-01"
	b.Records[1].Volunteers, b.Records[1].VolunteerHours = 0, 0
	if errs := CheckServiceRecordBatch(b, recordDay); len(errs) != 0 {
		t.Fatalf("a good batch was refused: %v", errs)
	}
	b.Records = nil
	if errs := CheckServiceRecordBatch(b, recordDay); fields(errs) != "records" {
		t.Fatalf("an empty batch: %v", errs)
	}
	b.Records = make([]ServiceRecord, 5001)
	for i := range b.Records {
		b.Records[i] = goodRecord()
	}
	if errs := CheckServiceRecordBatch(b, recordDay); fields(errs) != "records" {
		t.Fatalf("5001 records: %v", errs)
	}
}

func TestEachServiceRecordRuleIsRefusedByItsPath(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(r *ServiceRecord)
		field string
	}{
		{"no date", func(r *ServiceRecord) { r.Date = "" }, "date"},
		{"a date in another format", func(r *ServiceRecord) { r.Date = "20/11/2026" }, "date"},
		{"tomorrow", func(r *ServiceRecord) { r.Date = "2026-11-21" }, "date"},
		{"before 2000", func(r *ServiceRecord) { r.Date = "1999-12-31" }, "date"},
		{"an unknown service line", func(r *ServiceRecord) { r.ServiceLine = "knitting" }, "service_line"},
		{"no activity type", func(r *ServiceRecord) { r.ActivityType = "" }, "activity_type"},
		{"a long activity type", func(r *ServiceRecord) { r.ActivityType = strings.Repeat("x", 65) }, "activity_type"},
		{"negative elderly", func(r *ServiceRecord) { r.Beneficiaries.Elderly = -1 }, "beneficiaries.elderly"},
		{"too many children", func(r *ServiceRecord) { r.Beneficiaries.Children = 100001 }, "beneficiaries.children"},
		{"negative disabled", func(r *ServiceRecord) { r.Beneficiaries.Disabled = -2 }, "beneficiaries.disabled"},
		{"negative hardship", func(r *ServiceRecord) { r.Beneficiaries.Hardship = -3 }, "beneficiaries.hardship"},
		{"negative volunteers", func(r *ServiceRecord) { r.Volunteers, r.VolunteerHours = -1, 0 }, "volunteers"},
		{"negative hours", func(r *ServiceRecord) { r.VolunteerHours = -0.5 }, "volunteer_hours"},
		{"hours without volunteers", func(r *ServiceRecord) { r.Volunteers = 0 }, "volunteer_hours"},
		{"negative yuan", func(r *ServiceRecord) { r.ResourcesYuan = -1 }, "resources_yuan"},
		{"too many yuan", func(r *ServiceRecord) { r.ResourcesYuan = 1e10 + 1 }, "resources_yuan"},
		{"a fraction of a fen", func(r *ServiceRecord) { r.ResourcesYuan = 300.005 }, "resources_yuan"},
		{"negative cases", func(r *ServiceRecord) { r.Cases = -1 }, "cases"},
	}
	for _, c := range cases {
		r := goodRecord()
		c.edit(&r)
		if errs := CheckServiceRecord(r, recordDay); fields(errs) != c.field {
			t.Errorf("%s: one record refused on %q (%v), want %q", c.name, fields(errs), errs, c.field)
		}
		b := ServiceRecordBatch{Records: []ServiceRecord{goodRecord(), goodRecord(), goodRecord(), goodRecord()}}
		b.Records[3] = r
		if errs := CheckServiceRecordBatch(b, recordDay); fields(errs) != "records[3]."+c.field {
			t.Errorf("%s: batch refused on %q (%v), want records[3].%s", c.name, fields(errs), errs, c.field)
		}
	}
}

func TestTheImportColumnsNameEveryRecordField(t *testing.T) {
	want := "date,service_line,activity_type,beneficiaries_elderly,beneficiaries_children,beneficiaries_disabled,beneficiaries_hardship,volunteers,volunteer_hours,resources_yuan,cases"
	if got := strings.Join(CSVColumns, ","); got != want {
		t.Fatalf("columns %s, want %s", got, want)
	}
	if len(ServiceLines) != 6 {
		t.Fatalf("%d service lines", len(ServiceLines))
	}
}
