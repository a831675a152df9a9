package report

import (
	"encoding/json"
	"io"

	"github.com/labctl/labctl/verify"
)

// WriteJSON prints the report as indented JSON, URL credentials masked.
func WriteJSON(w io.Writer, rep verify.Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(rep.Redacted())
}
