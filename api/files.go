package api

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"mime/multipart"
	"net/http"
	"slices"
	"strings"

	"github.com/stationflow/stationflow/internal/forms"
	"github.com/stationflow/stationflow/internal/usecase"
)

// MaxFileBytes bounds one evidence file.
const MaxFileBytes = 10 << 20

// uploadFile stores one evidence file sent as multipart/form-data with the
// parts file, kind and (optional) date.
func (s *Server) uploadFile(w http.ResponseWriter, r *http.Request) error {
	f, err := s.cases().UploadFile(r.Context(), principal(r), pathID(r), func() (usecase.Upload, error) {
		return readUpload(w, r)
	})
	return answer(w, http.StatusCreated, f, err)
}

// readUpload reads the multipart form: its kind and date as sent, and the
// file with the content type its bytes show.
func readUpload(w http.ResponseWriter, r *http.Request) (usecase.Upload, error) {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "multipart/form-data" {
		return usecase.Upload{}, problem(http.StatusUnsupportedMediaType, ProblemMalformed, "send the file as multipart/form-data",
			FieldError{Field: "Content-Type", Message: "must be multipart/form-data with a part named file"})
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxFileBytes+64<<10)
	if err := r.ParseMultipartForm(MaxFileBytes + 64<<10); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return usecase.Upload{}, fileTooLarge()
		}
		return usecase.Upload{}, problem(http.StatusBadRequest, ProblemMalformed, "send the file as multipart/form-data",
			FieldError{Field: "Content-Type", Message: "must be multipart/form-data with a part named file"})
	}
	defer func() { _ = r.MultipartForm.RemoveAll() }()
	if err := checkFormText(r.MultipartForm); err != nil {
		return usecase.Upload{}, err
	}
	up := usecase.Upload{Kind: r.FormValue("kind"), Date: r.FormValue("date")}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		return up, nil // no file: the use case names the part missing
	}
	defer f.Close()
	content, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return up, err
	}
	if len(content) > MaxFileBytes {
		return up, fileTooLarge()
	}
	contentType := http.DetectContentType(content)
	if i := strings.IndexByte(contentType, ';'); i >= 0 {
		contentType = contentType[:i]
	}
	up.File = &usecase.UploadedFile{Name: hdr.Filename, ContentType: contentType, Content: content}
	return up, nil
}

// checkFormText refuses, with 422 naming the part, a form field that is
// not text stationflow can store or a file whose name is not a name
// (forms.CheckName); "file" names the file's name.
func checkFormText(form *multipart.Form) error {
	for _, name := range slices.Sorted(maps.Keys(form.Value)) {
		for _, v := range form.Value[name] {
			if msg := forms.CheckText(v); msg != "" {
				return textRefused(http.StatusUnprocessableEntity, name, msg)
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(form.File)) {
		for _, fh := range form.File[name] {
			if msg := forms.CheckName(fh.Filename); msg != "" {
				return textRefused(http.StatusUnprocessableEntity, name, "the file's name "+msg)
			}
		}
	}
	return nil
}

func fileTooLarge() error {
	return problem(http.StatusRequestEntityTooLarge, ProblemTooLarge, fmt.Sprintf("a file may hold at most %d bytes", MaxFileBytes),
		FieldError{Field: "file", Message: "too large"})
}
