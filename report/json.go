package report

import (
	"encoding/json"
	"io"
)

// renderJSON writes the v1 report, indented by two spaces. HTML characters
// stay as they are: the output is for parsers and people, not a web page.
func renderJSON(w io.Writer, r *Report) error { return renderJSONValue(w, r) }

func renderJSONValue(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
