package forms

import (
	"strings"
	"testing"

	"github.com/stationflow/stationflow/internal/codes"
)

func TestApplicationDocumentsAreJudgedByTheirContent(t *testing.T) {
	withDoc := func(contentType, base64 string) string {
		return strings.Replace(goodPlan, `"budget_yuan":120000`, `"budget_yuan":120000,"documents":[{"filename":"计划书.pdf",`+
			`"content_type":"`+contentType+`","content_base64":"`+base64+`"}]`, 1)
	}
	const pdf, png, html = "JVBERi0xLjQK", "iVBORw0KGgoAAAAN", "PGh0bWw+PHNjcmlwdD4="
	if errs := CheckApplication(plan(t, withDoc("application/pdf", pdf)), codes.TownshipStation); len(errs) != 0 {
		t.Fatalf("a PDF declared as one was refused: %v", errs)
	}
	if errs := CheckApplication(plan(t, withDoc("application/pdf", png)), codes.TownshipStation); fields(errs) != "documents[0].content_type" {
		t.Fatalf("a PNG declared as a PDF: %v", errs)
	}
	if errs := CheckApplication(plan(t, withDoc("application/pdf", html)), codes.TownshipStation); fields(errs) != "documents[0].content_base64" {
		t.Fatalf("an HTML page declared as a PDF: %v", errs)
	}
}
