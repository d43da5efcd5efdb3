package api

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stationflow/stationflow/internal/auth"
)

// Every limit answers with a problem naming what is over it: the body
// size, the page size, the records in a batch, the size of a file and the
// length of a text. (The request rate per token has its own test.)
func TestEveryLimitIsAProblemNamingTheField(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	admin := s.token(auth.RoleAdmin, "")
	_, orgToken := s.organisation(admin, "成华区阳光社工服务中心", "52510108MJ0000051")
	station, _ := s.operatingStation(admin, orgToken)
	stationPath := "/v1/stations/" + station.ID.String()
	check := func(r response, status int, field string) {
		t.Helper()
		p := r.must(t, status).problem(t)
		if !fieldNamed(p, field) {
			t.Errorf("%d problem %+v does not name %s", status, p, field)
		}
	}

	// A JSON body over 1 MiB.
	check(s.do("POST", "/v1/organisations", admin, `{"name": "`+strings.Repeat("名", MaxBodyBytes/3+1)+`"}`),
		http.StatusRequestEntityTooLarge, "body")
	// Page sizes outside 1..MaxPageSize.
	for _, limit := range []string{"0", "1001", "-5", "many"} {
		check(s.do("GET", "/v1/stations?limit="+limit, admin, nil), http.StatusBadRequest, "limit")
	}
	// A batch of more records than one request may carry.
	var b strings.Builder
	b.WriteString(`{"records": [`)
	for i := range 5001 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"date":"` + chinaToday().Format(time.DateOnly) + `","service_line":"needs_assessment","activity_type":"v","beneficiaries":{},"volunteers":0,"volunteer_hours":0,"resources_yuan":0,"cases":0}`)
	}
	b.WriteString(`]}`)
	check(s.do("POST", stationPath+"/service-records", orgToken, b.String()), http.StatusUnprocessableEntity, "records")
	// A file over 10 MiB.
	ct, body := multipartFile(t, "sign_in_sheet", "big.png", append(pngBytes(9), bytes.Repeat([]byte{0}, MaxFileBytes)...))
	check(s.send("POST", stationPath+"/files", orgToken, ct, body), http.StatusRequestEntityTooLarge, "file")
	// Texts and counts past their maximum.
	check(s.do("POST", "/v1/stations/"+station.ID.String()+"/appeals", orgToken, map[string]any{"reason": strings.Repeat("理", 5001)}),
		http.StatusUnprocessableEntity, "reason")
	county := s.token(auth.RoleOffice, "510108")
	check(s.do("POST", "/v1/cycles/preview", county, map[string]any{"region_code": "510108", "year": 2026, "rubric_version": "annual-2026.1",
		"self_assessment_due": "2099-01-01", "evaluation_due": "2099-02-01", "evaluators_per_station": 6}), http.StatusUnprocessableEntity,
		"evaluators_per_station")
}
