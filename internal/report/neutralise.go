package report

import (
	"bufio"
	"io"
	"strings"
)

// formulaTriggers are the first characters that make a spreadsheet program
// read a CSV field as a formula (OWASP's CSV injection guidance lists "=",
// "+", "-", "@", tab and carriage return). The full-width forms are there
// too because Chinese input methods type them and some spreadsheet programs
// fold them to their ASCII forms on import.
const formulaTriggers = "=+-@\t\r＝＋－＠"

// Neutralise returns text so that no spreadsheet program reads it as a
// formula: text starting with a formula trigger gets a single quote in front
// (the spreadsheet convention for "this is text"), anything else is returned
// as it is. It is for text cells only; a number, negative ones included,
// must be written as a number and never passed here.
func Neutralise(text string) string {
	if text == "" {
		return text
	}
	for _, trigger := range formulaTriggers {
		if strings.HasPrefix(text, string(trigger)) {
			return "'" + text
		}
	}
	return text
}

// csvWriter writes CSV records whose text fields are neutralised, and
// quoted when neutralised, as OWASP advises, or when they hold a separator,
// a quote or a line break; numbers are written bare, so a spreadsheet still
// reads them as numbers. Other text stays unquoted, so the header after the
// byte-order mark reads as it always has in CSV readers that keep the mark. Lines end in "\n", as
// encoding/csv's writer ends them.
type csvWriter struct {
	w   *bufio.Writer
	err error
}

func newCSVWriter(w io.Writer) *csvWriter { return &csvWriter{w: bufio.NewWriter(w)} }

// csvField is one field of a record: text to neutralise and quote, or a
// number already formatted.
type csvField struct {
	text     string
	isNumber bool
}

// textField is a text field; numberField a formatted number.
func textField(text string) csvField     { return csvField{text: text} }
func numberField(number string) csvField { return csvField{text: number, isNumber: true} }

// textFields makes a text field of each string, as for a header line.
func textFields(texts []string) []csvField {
	fields := make([]csvField, len(texts))
	for i, text := range texts {
		fields[i] = textField(text)
	}
	return fields
}

// Write writes one record. After the first error every call returns it.
func (c *csvWriter) Write(fields []csvField) error {
	for i, field := range fields {
		if i > 0 {
			c.writeString(",")
		}
		switch {
		case field.isNumber:
			c.writeString(field.text)
		case field.text == "":
			// An empty cell stays empty; quoting it would change nothing.
		default:
			c.writeString(quoted(Neutralise(field.text)))
		}
	}
	c.writeString("\n")
	return c.err
}

// Flush writes what is buffered to the underlying writer and returns the
// first error met.
func (c *csvWriter) Flush() error {
	if c.err == nil {
		c.err = c.w.Flush()
	}
	return c.err
}

func (c *csvWriter) writeString(s string) {
	if c.err == nil {
		_, c.err = c.w.WriteString(s)
	}
}

// quoted quotes a neutralised field or one that holds a separator, a quote
// or a line break, doubling its quotes; any other field is returned as is.
func quoted(field string) string {
	if !strings.HasPrefix(field, "'") && !strings.ContainsAny(field, ",\"\r\n") {
		return field
	}
	return `"` + strings.ReplaceAll(field, `"`, `""`) + `"`
}
