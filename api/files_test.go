package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"mime"
	"strconv"
	"testing"

	"github.com/google/uuid"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/period"
	"github.com/stationflow/stationflow/internal/store"
)

// fileAnswerHeaders fails unless a file answer carries the headers that
// make it a download a browser neither sniffs nor runs, naming name.
func fileAnswerHeaders(t *testing.T, res response, contentType, name string, content []byte) {
	t.Helper()
	h := res.Header
	if got := h.Get("Content-Type"); got != contentType {
		t.Errorf("Content-Type %q, want %q", got, contentType)
	}
	disp, params, err := mime.ParseMediaType(h.Get("Content-Disposition"))
	if err != nil || disp != "attachment" || params["filename"] != name {
		t.Errorf("Content-Disposition %q reads as %q %v (%v), want an attachment named %q", h.Get("Content-Disposition"), disp, params, err, name)
	}
	if !bytes.Contains([]byte(h.Get("Content-Disposition")), []byte(`filename="`)) {
		t.Errorf("Content-Disposition %q has no ASCII filename for older clients", h.Get("Content-Disposition"))
	}
	if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Content-Security-Policy") != "default-src 'none'; sandbox" {
		t.Errorf("nosniff %q, CSP %q", h.Get("X-Content-Type-Options"), h.Get("Content-Security-Policy"))
	}
	if content != nil {
		sum := sha256.Sum256(content)
		if h.Get("ETag") != `"`+hex.EncodeToString(sum[:])+`"` {
			t.Errorf("ETag %q, want the quoted SHA-256 of the bytes", h.Get("ETag"))
		}
		if h.Get("Content-Length") != strconv.Itoa(len(content)) {
			t.Errorf("Content-Length %q, want %d", h.Get("Content-Length"), len(content))
		}
	}
}

func TestAStationsFilesOpenByteForByteToThoseWhoSeeItAndToNobodyElse(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	ctx := context.Background()
	admin := s.token(auth.RoleAdmin, "")
	county := s.token(auth.RoleOffice, "510108")
	otherCounty := s.token(auth.RoleOffice, "510104")
	_, orgAToken := s.organisation(admin, "成华区阳光社工服务中心", "52510108MJ0000091")
	_, orgBToken := s.organisation(admin, "成华区晨曦社工服务中心", "52510108MJ0000092")
	_, _, township := s.province(admin)
	s.operatorFor(township, orgAToken, county)

	// An organisation files a sign-in sheet under a Chinese name and reads
	// back the same bytes, named as it was filed.
	name := "2026年第四季度 签到表（终版）.pdf"
	content := []byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
	ct, body := multipartFile(t, "sign_in_sheet", name, content)
	var filed store.EvidenceFile
	s.send("POST", "/v1/stations/"+township.ID.String()+"/files", orgAToken, ct, body).must(t, 201).json(t, &filed)
	if filed.URL != "/v1/files/"+filed.ID.String() {
		t.Fatalf("the stored file links to %q", filed.URL)
	}
	got := s.do("GET", filed.URL, orgAToken, nil).must(t, 200)
	if !bytes.Equal(got.Body, content) {
		t.Fatalf("downloaded %q, want the bytes filed %q", got.Body, content)
	}
	fileAnswerHeaders(t, got, "application/pdf", name, content)
	s.do("GET", filed.URL, county, nil).must(t, 200)

	// Another organisation, and the office of another county, are told
	// there is no such file, exactly as for an ID never used.
	unknown := s.do("GET", "/v1/files/"+uuid.NewString(), orgBToken, nil).must(t, 404).problem(t)
	for _, tok := range []string{orgBToken, otherCounty} {
		p := s.do("GET", filed.URL, tok, nil).must(t, 404).problem(t)
		if p.Detail != unknown.Detail || p.Title != unknown.Title {
			t.Errorf("outside scope %q %q differs from an unknown ID's %q %q", p.Title, p.Detail, unknown.Title, unknown.Detail)
		}
	}

	// A supervisor assigned to the station opens it from the link in the
	// quarter's evidence pack.
	sup := s.person(admin, map[string]any{"name": "钱进", "role": "supervisor", "region_code": "510108"})
	if err := s.store.AssignSupervisor(ctx, "test", uuid.MustParse(sup), township.ID); err != nil {
		t.Fatal(err)
	}
	supToken := s.token(auth.RoleSupervisor, sup)
	var pack store.EvidencePack
	s.do("GET", "/v1/stations/"+township.ID.String()+"/evidence?quarter="+period.Of(chinaToday()).String(), supToken, nil).
		must(t, 200).json(t, &pack)
	var link string
	for _, f := range pack.Files {
		if f.ID == filed.ID {
			link = f.URL
		}
	}
	if link == "" {
		t.Fatalf("the evidence pack %+v does not link the file", pack.Files)
	}
	if res := s.do("GET", link, supToken, nil).must(t, 200); !bytes.Equal(res.Body, content) {
		t.Fatalf("the supervisor downloaded %q", res.Body)
	}
	other := s.person(admin, map[string]any{"name": "孙丽", "role": "supervisor", "region_code": "510108"})
	s.do("GET", link, s.token(auth.RoleSupervisor, other), nil).must(t, 404)

	// The application's documents are linked and open the same way.
	var app struct {
		DocumentIDs []uuid.UUID      `json:"document_ids"`
		Documents   []store.FileLink `json:"documents"`
	}
	contracts := s.do("GET", "/v1/stations/"+township.ID.String()+"/contracts", county, nil).must(t, 200)
	var list struct{ Items []store.ContractView }
	contracts.json(t, &list)
	if len(list.Items) != 1 || list.Items[0].ApplicationID == nil {
		t.Fatalf("contracts %s", contracts.Body)
	}
	s.do("GET", "/v1/applications/"+list.Items[0].ApplicationID.String(), county, nil).must(t, 200).json(t, &app)
	if len(app.Documents) != 1 || app.Documents[0].ID != app.DocumentIDs[0] {
		t.Fatalf("application documents %+v for %v", app.Documents, app.DocumentIDs)
	}
	doc, _ := base64.StdEncoding.DecodeString(applicationBody()["documents"].([]map[string]any)[0]["content_base64"].(string))
	res := s.do("GET", app.Documents[0].URL, county, nil).must(t, 200)
	if !bytes.Equal(res.Body, doc) {
		t.Fatalf("the application document downloaded as %q, want %q", res.Body, doc)
	}
	fileAnswerHeaders(t, res, "application/pdf", "plan.pdf", doc)

	// A PDF has no thumbnail; a thumbnail value that is not a boolean is
	// refused naming it.
	p := s.do("GET", filed.URL+"?thumbnail=true", orgAToken, nil).must(t, 422).problem(t)
	if !fieldNamed(p, "thumbnail") {
		t.Errorf("a PDF's thumbnail: %+v does not name thumbnail", p)
	}
	p = s.do("GET", filed.URL+"?thumbnail=maybe", orgAToken, nil).must(t, 400).problem(t)
	if !fieldNamed(p, "thumbnail") {
		t.Errorf("thumbnail=maybe: %+v does not name thumbnail", p)
	}
}

// imageBytes encodes a w×h picture as PNG or JPEG.
func imageBytes(t *testing.T, format string, w, h int) []byte {
	t.Helper()
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			m.Set(x, y, color.RGBA{uint8(x), uint8(y), 90, 255})
		}
	}
	var buf bytes.Buffer
	var err error
	if format == "png" {
		err = png.Encode(&buf, m)
	} else {
		err = jpeg.Encode(&buf, m, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestAnImageFilesThumbnailFitsWithin320PixelsInItsOwnFormat(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	admin := s.token(auth.RoleAdmin, "")
	county := s.token(auth.RoleOffice, "510108")
	_, orgToken := s.organisation(admin, "成华区阳光社工服务中心", "52510108MJ0000091")
	_, _, township := s.province(admin)
	s.operatorFor(township, orgToken, county)

	for _, c := range []struct {
		format, contentType string
		w, h, wantW, wantH  int
	}{
		{"png", "image/png", 1000, 400, 320, 128},
		{"jpeg", "image/jpeg", 500, 800, 200, 320},
		{"png", "image/png", 120, 90, 120, 90}, // small enough already: kept
	} {
		ct, body := multipartFile(t, "photo", "活动照片."+c.format, imageBytes(t, c.format, c.w, c.h))
		var f store.EvidenceFile
		s.send("POST", "/v1/stations/"+township.ID.String()+"/files", orgToken, ct, body).must(t, 201).json(t, &f)
		res := s.do("GET", f.URL+"?thumbnail=true", county, nil).must(t, 200)
		fileAnswerHeaders(t, res, c.contentType, "thumbnail-活动照片."+c.format, nil)
		m, format, err := image.Decode(bytes.NewReader(res.Body))
		if err != nil || format != c.format {
			t.Fatalf("%dx%d %s: the thumbnail reads as %q (%v)", c.w, c.h, c.format, format, err)
		}
		if b := m.Bounds(); b.Dx() != c.wantW || b.Dy() != c.wantH {
			t.Errorf("%dx%d %s: thumbnail %dx%d, want %dx%d", c.w, c.h, c.format, b.Dx(), b.Dy(), c.wantW, c.wantH)
		}
		if res.Header.Get("Content-Length") != strconv.Itoa(len(res.Body)) {
			t.Errorf("Content-Length %q for %d bytes", res.Header.Get("Content-Length"), len(res.Body))
		}
	}
}

func TestAnUploadReadsKindAndDateFromTheBodyNeverFromTheQueryString(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	admin := s.token(auth.RoleAdmin, "")
	county := s.token(auth.RoleOffice, "510108")
	_, orgToken := s.organisation(admin, "成华区阳光社工服务中心", "52510108MJ0000091")
	_, _, township := s.province(admin)
	s.operatorFor(township, orgToken, county)

	ct, body := multipartFile(t, "", "照片.png", pngBytes(3))
	p := s.send("POST", "/v1/stations/"+township.ID.String()+"/files?kind=photo&date=2020-01-01", orgToken, ct, body).must(t, 422).problem(t)
	if !fieldNamed(p, "kind") {
		t.Fatalf("a kind sent only in the query string was read: %+v", p)
	}
	ct, body = multipartFile(t, "photo", "照片.png", pngBytes(3))
	var f store.EvidenceFile
	s.send("POST", "/v1/stations/"+township.ID.String()+"/files?kind=document&date=2020-01-01", orgToken, ct, body).must(t, 201).json(t, &f)
	if f.Kind != "photo" || f.EvidenceDate != chinaToday().Format("2006-01-02") {
		t.Fatalf("the query string's kind or date was read: %+v", f)
	}
}
