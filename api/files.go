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
	"strconv"
	"strings"

	"github.com/stationflow/stationflow/internal/forms"
	"github.com/stationflow/stationflow/internal/usecase"
)

// MaxFileBytes bounds one evidence file.
const MaxFileBytes = 10 << 20

// getFile answers a stored file's bytes, or with thumbnail=true an image's
// thumbnail, as an attachment the browser neither sniffs nor runs.
func (s *Server) getFile(w http.ResponseWriter, r *http.Request) error {
	f, err := s.cases().OpenFile(r.Context(), principal(r), pathID(r), func() (usecase.FileQuery, error) {
		thumb, err := optional(r, "thumbnail", false, boolParam)
		return usecase.FileQuery{Thumbnail: thumb}, err
	})
	if err != nil {
		return err
	}
	name := f.Filename
	if f.Thumbnail {
		name = "thumbnail-" + name
	}
	h := w.Header()
	h.Set("Content-Type", f.ContentType)
	h.Set("Content-Disposition", attachment(name))
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Length", strconv.Itoa(len(f.Content)))
	if f.ETag != "" {
		h.Set("ETag", f.ETag)
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(f.Content)
	return nil
}

// attachment is a Content-Disposition naming the file twice (RFC 6266):
// filename*, the name in UTF-8 percent-encoded (RFC 8187, formerly 5987),
// which browsers prefer, and filename, an ASCII stand-in for older
// clients, with every other character, quote and backslash as "_".
func attachment(name string) string {
	var ascii, ext strings.Builder
	for _, r := range name {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			ascii.WriteByte('_')
		} else {
			ascii.WriteRune(r)
		}
	}
	for _, b := range []byte(name) {
		if isAttrChar(b) {
			ext.WriteByte(b)
		} else {
			fmt.Fprintf(&ext, "%%%02X", b)
		}
	}
	return `attachment; filename="` + ascii.String() + `"; filename*=UTF-8''` + ext.String()
}

// isAttrChar: the characters RFC 8187 lets stand unencoded.
func isAttrChar(b byte) bool {
	return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' || strings.IndexByte("!#$&+-.^_`|~", b) >= 0
}

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
	// kind and date come from the body only: FormValue would let the
	// query string supply them.
	up := usecase.Upload{Kind: formField(r.MultipartForm, "kind"), Date: formField(r.MultipartForm, "date")}
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

// formField is the first value of a multipart text part; empty when the
// body holds none.
func formField(form *multipart.Form, name string) string {
	if v := form.Value[name]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func fileTooLarge() error {
	return problem(http.StatusRequestEntityTooLarge, ProblemTooLarge, fmt.Sprintf("a file may hold at most %d bytes", MaxFileBytes),
		FieldError{Field: "file", Message: "too large"})
}
