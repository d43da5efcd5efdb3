package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/calendar"
	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/forms"
	"github.com/stationflow/stationflow/internal/period"
	"github.com/stationflow/stationflow/internal/rubric"
	"github.com/stationflow/stationflow/internal/store"
)

// Limits on evidence.
const (
	MaxRecordBatchBytes = 4 << 20  // a JSON batch of service records
	MaxImportBytes      = 64 << 20 // a CSV import
	MaxImportRows       = 200_000
	MaxFileBytes        = 10 << 20 // one evidence file
)

// evidenceFileTypes are the content types an evidence file may have.
var evidenceFileTypes = []string{"application/pdf", "image/jpeg", "image/png"}

// visibleStation loads the {id} station, answering 404 when the caller may
// not see it.
func (s *Server) visibleStation(r *http.Request) (store.Station, error) {
	id, err := pathID(r, "station")
	if err != nil {
		return store.Station{}, err
	}
	st, err := s.Store.GetStation(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return st, notFound("station")
	}
	if err != nil {
		return st, err
	}
	ok, err := s.canSeeStation(r.Context(), principal(r), st)
	if err != nil {
		return st, err
	}
	if !ok {
		return st, notFound("station")
	}
	return st, nil
}

// evidenceStation loads a station whose evidence the caller may see: its
// region's office, its operating organisation, its assigned supervisors and
// admins. An organisation that merely may apply for it sees none.
func (s *Server) evidenceStation(r *http.Request) (store.Station, error) {
	st, err := s.visibleStation(r)
	if err != nil {
		return st, err
	}
	if p := principal(r); p.Role == auth.RoleOrg && (st.OperatorID == nil || *st.OperatorID != p.ScopeID()) {
		return st, notFound("station")
	}
	return st, nil
}

// recordingStation loads a station the caller may record evidence for: only
// its operating organisation (and admins, acting for it).
func (s *Server) recordingStation(r *http.Request) (store.Station, error) {
	st, err := s.evidenceStation(r)
	if err != nil {
		return st, err
	}
	if err := allowRoles(r, auth.RoleOrg, auth.RoleAdmin); err != nil {
		return st, err
	}
	if st.OperatorID == nil {
		return st, problem(http.StatusConflict, ProblemConflict, "the station has no operating organisation to record evidence for")
	}
	return st, nil
}

// today is the current date in China time, the day evidence may not pass.
func today() time.Time {
	now := time.Now().In(calendar.Location())
	return time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
}

func (s *Server) addServiceRecords(w http.ResponseWriter, r *http.Request) error {
	st, err := s.recordingStation(r)
	if err != nil {
		return err
	}
	if err := requireJSON(r); err != nil {
		return err
	}
	raw, err := readLimited(w, r, MaxRecordBatchBytes)
	if err != nil {
		return err
	}
	var batch forms.ServiceRecordBatch
	if derr := forms.DecodeStrictBytes(raw, &batch); derr != nil {
		return problem(http.StatusBadRequest, ProblemMalformed, "the body could not be read as a batch of service records", derr.FieldError)
	}
	if err := invalidIf(forms.CheckServiceRecordBatch(batch, today())); err != nil {
		return err
	}
	res, err := s.Store.AddServiceRecords(r.Context(), principal(r).Actor(), st.ID, *st.OperatorID, sha256.Sum256(raw), batch.Records)
	if err != nil {
		return err
	}
	writeImport(w, res)
	return nil
}

func writeImport(w http.ResponseWriter, res store.ImportResult) {
	status := http.StatusCreated
	if res.Replayed {
		status = http.StatusOK
	}
	writeJSON(w, status, res)
}

// importServiceRecords streams a CSV into the station's records. A bad row
// fails the whole import with every bad line and column listed.
func (s *Server) importServiceRecords(w http.ResponseWriter, r *http.Request) error {
	st, err := s.recordingStation(r)
	if err != nil {
		return err
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || (mt != "text/csv" && mt != "application/csv") {
			return problem(http.StatusUnsupportedMediaType, ProblemMalformed, "send the records as text/csv",
				FieldError{Field: "Content-Type", Message: "must be text/csv"})
		}
	}
	res, err := s.Store.ImportServiceRecordsCSV(r.Context(), principal(r).Actor(), st.ID, *st.OperatorID,
		http.MaxBytesReader(w, r.Body, MaxImportBytes), today(), MaxImportRows)
	var rows *store.ImportErrors
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return problem(http.StatusRequestEntityTooLarge, ProblemTooLarge, fmt.Sprintf("an import may hold at most %d bytes", MaxImportBytes),
			FieldError{Field: "body", Message: "too large"})
	case errors.As(err, &rows):
		writeProblem(w, r, importProblem(rows))
		return nil
	case err != nil:
		return err
	}
	writeImport(w, res)
	return nil
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

// uploadFile stores one evidence file sent as multipart/form-data with the
// parts file, kind and (optional) date.
func (s *Server) uploadFile(w http.ResponseWriter, r *http.Request) error {
	st, err := s.recordingStation(r)
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxFileBytes+64<<10)
	if err := r.ParseMultipartForm(MaxFileBytes + 64<<10); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return problem(http.StatusRequestEntityTooLarge, ProblemTooLarge, fmt.Sprintf("a file may hold at most %d bytes", MaxFileBytes),
				FieldError{Field: "file", Message: "too large"})
		}
		return problem(http.StatusBadRequest, ProblemMalformed, "send the file as multipart/form-data",
			FieldError{Field: "Content-Type", Message: "must be multipart/form-data with a part named file"})
	}
	defer func() { _ = r.MultipartForm.RemoveAll() }()
	var errs forms.Errors
	kind := r.FormValue("kind")
	if !oneOf(kind, "photo", "sign_in_sheet", "case_document", "document") {
		errs = append(errs, forms.FieldError{Field: "kind", Message: "must be one of: photo, sign_in_sheet, case_document, document"})
	}
	date := today()
	if v := r.FormValue("date"); v != "" {
		d, err := time.Parse(time.DateOnly, v)
		switch {
		case err != nil:
			errs = append(errs, forms.FieldError{Field: "date", Message: "must be a date written 2006-01-02"})
		case d.After(date):
			errs = append(errs, forms.FieldError{Field: "date", Message: "must not be in the future"})
		}
		date = d
	}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		errs = append(errs, forms.FieldError{Field: "file", Message: "is required"})
		return invalidIf(errs)
	}
	defer f.Close()
	content, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return err
	}
	switch {
	case len(content) == 0:
		errs = append(errs, forms.FieldError{Field: "file", Message: "is empty"})
	case len(content) > MaxFileBytes:
		return problem(http.StatusRequestEntityTooLarge, ProblemTooLarge, fmt.Sprintf("a file may hold at most %d bytes", MaxFileBytes),
			FieldError{Field: "file", Message: "too large"})
	}
	contentType := http.DetectContentType(content)
	if i := strings.IndexByte(contentType, ';'); i >= 0 {
		contentType = contentType[:i]
	}
	if len(content) > 0 && !oneOf(contentType, evidenceFileTypes...) {
		errs = append(errs, forms.FieldError{Field: "file", Message: "must be a PDF, JPEG or PNG file, not " + contentType})
	}
	name := hdr.Filename
	if len([]rune(name)) > 200 {
		errs = append(errs, forms.FieldError{Field: "file", Message: "the file name may be at most 200 characters long"})
	}
	if err := invalidIf(errs); err != nil {
		return err
	}
	saved, err := s.Store.SaveStationFile(r.Context(), principal(r).Actor(), store.StationFile{StationID: st.ID, OrganisationID: *st.OperatorID,
		Kind: kind, EvidenceDate: date, Filename: name, ContentType: contentType, Content: content})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, saved)
	return nil
}

// quarterParam reads ?quarter=, defaulting to the quarter before the
// current one (the one under supervision now).
func quarterParam(r *http.Request) (period.Quarter, error) {
	v := r.URL.Query().Get("quarter")
	if v == "" {
		q := period.Of(today())
		prev := q.First().AddDate(0, 0, -1)
		return period.Of(prev), nil
	}
	q, err := period.Parse(v)
	if err != nil {
		return q, problem(http.StatusBadRequest, ProblemInvalid, err.Error(), FieldError{Field: "quarter", Message: err.Error()})
	}
	return q, nil
}

func (s *Server) getEvidence(w http.ResponseWriter, r *http.Request) error {
	st, err := s.evidenceStation(r)
	if err != nil {
		return err
	}
	if year := r.URL.Query().Get("year"); year != "" {
		return s.annualEvidence(r.Context(), w, st.ID, year)
	}
	q, err := quarterParam(r)
	if err != nil {
		return err
	}
	pack, err := s.Store.EvidencePack(r.Context(), st.ID, q)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pack)
	return nil
}

// canSeeScorecard: the station's region office, the organisation the card
// scores, the station's supervisors, and admins.
func (s *Server) canSeeScorecard(r *http.Request, c store.Scorecard) (bool, error) {
	p := principal(r)
	switch p.Role {
	case auth.RoleAdmin:
		return true, nil
	case auth.RoleOffice:
		return auth.InRegion(p.Scope, c.RegionCode), nil
	case auth.RoleOrg:
		return c.OrganisationID != nil && *c.OrganisationID == p.ScopeID(), nil
	case auth.RoleSupervisor:
		return s.Store.IsAssignedSupervisor(r.Context(), p.ScopeID(), c.StationID)
	}
	return false, nil
}

func (s *Server) listStationScorecards(w http.ResponseWriter, r *http.Request) error {
	st, err := s.evidenceStation(r)
	if err != nil {
		return err
	}
	page, err := pageParams(r)
	if err != nil {
		return err
	}
	f := store.ScorecardFilter{StationID: st.ID, Period: r.URL.Query().Get("period")}
	list, err := s.Store.ListScorecards(r.Context(), f, page)
	if err != nil {
		return err
	}
	// An organisation sees the cards of its own term only, never those of
	// the organisation that ran the station before.
	kept := list.Items[:0]
	for _, c := range list.Items {
		if ok, err := s.canSeeScorecard(r, c); err != nil {
			return err
		} else if ok {
			kept = append(kept, c)
		}
	}
	list.Items = kept
	writeJSON(w, http.StatusOK, list)
	return nil
}

func (s *Server) getScorecard(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "scorecard")
	if err != nil {
		return err
	}
	c, err := s.Store.GetScorecard(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return notFound("scorecard")
	}
	if err != nil {
		return err
	}
	if ok, err := s.canSeeScorecard(r, c); err != nil {
		return err
	} else if !ok {
		return notFound("scorecard")
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

// listRectifications: an office sees the items in its region, an
// organisation its own, a supervisor those they verify.
func (s *Server) listRectifications(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	page, err := pageParams(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := store.RectificationFilter{State: q.Get("state")}
	if f.State == "unverified" {
		f.State, f.Open = "", true
	} else if f.State != "" && !oneOf(f.State, store.RectificationOpen, store.RectificationResponded, store.RectificationVerified) {
		return problem(http.StatusBadRequest, ProblemInvalid, "unknown state", FieldError{Field: "state",
			Message: "must be one of: open, responded, verified, unverified"})
	}
	if f.Overdue, err = boolParam(r, "overdue"); err != nil {
		return err
	}
	if v := q.Get("station_id"); v != "" {
		id, err := uuid.Parse(v)
		if err != nil {
			return problem(http.StatusBadRequest, ProblemInvalid, "station_id is not an ID", FieldError{Field: "station_id", Message: "must be an ID"})
		}
		f.StationID = &id
	}
	switch p.Role {
	case auth.RoleAdmin:
		f.All = true
	case auth.RoleOffice:
		f.RegionPrefix = p.Scope
	case auth.RoleOrg:
		id := p.ScopeID()
		f.Org = &id
	case auth.RoleSupervisor:
		id := p.ScopeID()
		f.Verifier = &id
	}
	list, err := s.Store.ListRectifications(r.Context(), f, page)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list)
	return nil
}

func boolParam(r *http.Request, name string) (bool, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, problem(http.StatusBadRequest, ProblemInvalid, name+" is true or false", FieldError{Field: name, Message: "must be true or false"})
	}
	return b, nil
}

// visibleRectification loads the {id} item, answering 404 outside the
// caller's scope.
func (s *Server) visibleRectification(r *http.Request) (store.Rectification, error) {
	id, err := pathID(r, "rectification")
	if err != nil {
		return store.Rectification{}, err
	}
	item, err := s.Store.GetRectification(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return item, notFound("rectification")
	}
	if err != nil {
		return item, err
	}
	p := principal(r)
	ok := false
	switch p.Role {
	case auth.RoleAdmin:
		ok = true
	case auth.RoleOffice:
		ok = auth.InRegion(p.Scope, item.RegionCode)
	case auth.RoleOrg:
		ok = item.OrganisationID != nil && *item.OrganisationID == p.ScopeID()
	case auth.RoleSupervisor:
		ok = item.VerifierKind == flow.AssignPerson && item.VerifierID == p.Scope
	}
	if !ok {
		return item, notFound("rectification")
	}
	return item, nil
}

// rectificationTask is the item's current task if it is of the wanted
// kind: the response while open, the verification once responded.
func (s *Server) rectificationTask(r *http.Request, item store.Rectification, state string) (store.Task, error) {
	if item.State != state || item.TaskID == nil {
		return store.Task{}, problem(http.StatusConflict, ProblemConflict, "the item is "+item.State)
	}
	t, err := s.Store.GetTask(r.Context(), *item.TaskID)
	if errors.Is(err, store.ErrNotFound) {
		return t, problem(http.StatusConflict, ProblemConflict, "the item's task is still being opened; try again shortly")
	}
	return t, err
}

// respondRectification sends the organisation's answer to the item's
// response task, after checking that what it cites is the station's own.
func (s *Server) respondRectification(w http.ResponseWriter, r *http.Request) error {
	item, err := s.visibleRectification(r)
	if err != nil {
		return err
	}
	if err := allowRoles(r, auth.RoleOrg, auth.RoleAdmin, auth.RoleOffice); err != nil {
		return err
	}
	var form forms.RectificationResponse
	raw, err := decodeForm(w, r, &form)
	if err != nil {
		return err
	}
	if err := invalidIf(forms.CheckRectificationResponse(form)); err != nil {
		return err
	}
	if err := s.checkEvidence(r, item.StationID, nil, "evidence_ids", form.EvidenceIDs); err != nil {
		return err
	}
	t, err := s.rectificationTask(r, item, store.RectificationOpen)
	if err != nil {
		return err
	}
	return s.updateRectification(w, r, item, t, raw)
}

func (s *Server) verifyRectification(w http.ResponseWriter, r *http.Request) error {
	item, err := s.visibleRectification(r)
	if err != nil {
		return err
	}
	if err := allowRoles(r, auth.RoleSupervisor, auth.RoleOffice, auth.RoleAdmin); err != nil {
		return err
	}
	var form forms.RectificationVerification
	raw, err := decodeForm(w, r, &form)
	if err != nil {
		return err
	}
	if err := invalidIf(forms.CheckRectificationVerification(form)); err != nil {
		return err
	}
	t, err := s.rectificationTask(r, item, store.RectificationResponded)
	if err != nil {
		return err
	}
	return s.updateRectification(w, r, item, t, raw)
}

// updateRectification completes the item's task with the form and answers
// with the item as it stands afterwards.
func (s *Server) updateRectification(w http.ResponseWriter, r *http.Request, item store.Rectification, t store.Task, form json.RawMessage) error {
	if err := s.sendUpdate(r, t, flow.CompleteUpdate, flow.CompleteRequest{Caller: caller(principal(r)), Form: form}); err != nil {
		return err
	}
	// The item's own workflow records the step right after the task ends;
	// wait a moment for it so the answer shows the item's new state.
	deadline := time.Now().Add(itemSettleTimeout)
	for {
		fresh, err := s.Store.GetRectification(r.Context(), item.ID)
		if err != nil {
			return err
		}
		if fresh.Version > item.Version || time.Now().After(deadline) {
			writeJSON(w, http.StatusOK, fresh)
			return nil
		}
		select {
		case <-r.Context().Done():
			return r.Context().Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// itemSettleTimeout bounds how long an answer waits for an item's workflow
// to record the step just taken.
const itemSettleTimeout = 5 * time.Second

// decodeForm reads a JSON form strictly into dst and also returns its
// bytes, which go on to the task's workflow unchanged.
func decodeForm(w http.ResponseWriter, r *http.Request, dst any) (json.RawMessage, error) {
	if err := requireJSON(r); err != nil {
		return nil, err
	}
	raw, err := readLimited(w, r, MaxBodyBytes)
	if err != nil {
		return nil, err
	}
	if derr := forms.DecodeStrict(bytes.NewReader(raw), dst); derr != nil {
		return nil, problem(http.StatusBadRequest, ProblemMalformed, "the body could not be read as this endpoint's JSON", derr.FieldError)
	}
	return raw, invalidIf(forms.Check(dst))
}

// checkEvidence refuses cited evidence that is not a record or file of the
// station (and, when q is given, of that quarter), naming each bad citation.
func (s *Server) checkEvidence(r *http.Request, stationID uuid.UUID, q *period.Quarter, field string, ids []string) error {
	return s.checkCitations(r, stationID, q, map[string][]string{field: ids})
}

func (s *Server) checkCitations(r *http.Request, stationID uuid.UUID, q *period.Quarter, cited map[string][]string) error {
	var all []uuid.UUID
	for _, ids := range cited {
		for _, v := range ids {
			if id, err := uuid.Parse(v); err == nil {
				all = append(all, id)
			}
		}
	}
	if len(all) == 0 {
		return nil
	}
	foreign, err := s.Store.ForeignEvidence(r.Context(), stationID, q, all)
	if err != nil {
		return err
	}
	bad := map[uuid.UUID]bool{}
	for _, id := range foreign {
		bad[id] = true
	}
	where := "of this station"
	if q != nil {
		where = "of this station in " + q.String()
	}
	var errs forms.Errors
	for _, field := range sortedKeys(cited) {
		for i, v := range cited[field] {
			if id, err := uuid.Parse(v); err == nil && bad[id] {
				errs = append(errs, forms.FieldError{Field: fmt.Sprintf("%s[%d]", field, i), Message: "is not a service record or file " + where})
			}
		}
	}
	return invalidIf(errs)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// checkScoredForm refuses a supervision form whose scores cite evidence
// from another station or quarter; the task's workflow checks the rest.
func (s *Server) checkScoredForm(r *http.Request, t store.Task, raw json.RawMessage) error {
	var f rubric.Form
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil // the workflow's validator names what is wrong
	}
	q, err := period.Parse(t.Period)
	if err != nil {
		return fmt.Errorf("task %s has no quarter: %w", t.ID, err)
	}
	cited := map[string][]string{}
	for i, sc := range f.Scores {
		if len(sc.EvidenceIDs) > 0 {
			cited[fmt.Sprintf("scores[%d].evidence_ids", i)] = sc.EvidenceIDs
		}
	}
	return s.checkCitations(r, t.StationID, &q, cited)
}

// overdue is an office's view of every overdue piece of work in its region,
// by kind and station level.
func (s *Server) overdue(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	if err := allowRoles(r, auth.RoleOffice, auth.RoleAdmin); err != nil {
		return err
	}
	region := p.Scope
	if p.Role == auth.RoleAdmin {
		region = r.URL.Query().Get("region_code")
	} else if v := r.URL.Query().Get("region_code"); v != "" {
		if err := inOfficeScope(p, "region_code", v); err != nil {
			return err
		}
		region = v
	}
	groups, err := s.Store.OverdueSummary(r.Context(), region)
	if err != nil {
		return err
	}
	if groups == nil {
		groups = []store.OverdueGroup{}
	}
	byKind, byLevel := map[string]int64{}, map[string]int64{}
	var total int64
	for _, g := range groups {
		byKind[g.Kind] += g.Count
		byLevel[g.StationLevel] += g.Count
		total += g.Count
	}
	writeJSON(w, http.StatusOK, map[string]any{"region_code": region, "total": total, "by_kind": byKind, "by_level": byLevel, "groups": groups})
	return nil
}

func (s *Server) getRectification(w http.ResponseWriter, r *http.Request) error {
	item, err := s.visibleRectification(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, item)
	return nil
}
