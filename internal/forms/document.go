package forms

import (
	"bytes"
	"fmt"
)

// DocumentType judges a document by its first bytes, as evidence files are
// judged: "application/pdf", "image/jpeg" or "image/png", or "" for
// anything else. What a caller declares is never taken on trust.
func DocumentType(content []byte) string {
	switch {
	case bytes.HasPrefix(content, []byte("%PDF-")):
		return "application/pdf"
	case bytes.HasPrefix(content, []byte{0xFF, 0xD8, 0xFF}):
		return "image/jpeg"
	case bytes.HasPrefix(content, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png"
	}
	return ""
}

// checkDocuments refuses a document whose bytes are not a PDF, JPEG or PNG,
// or are another of them than its declared content_type.
func checkDocuments(docs []Document) Errors {
	var errs Errors
	for i, d := range docs {
		switch judged := DocumentType(d.Content); {
		case judged == "":
			errs = append(errs, FieldError{Field: fmt.Sprintf("documents[%d].content_base64", i),
				Message: "must hold a PDF, JPEG or PNG file"})
		case judged != d.ContentType:
			errs = append(errs, FieldError{Field: fmt.Sprintf("documents[%d].content_type", i),
				Message: fmt.Sprintf("is %s, but the file's content is %s", d.ContentType, judged)})
		}
	}
	return errs
}
