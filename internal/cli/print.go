package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/labctl/labctl/internal/redact"

	"sigs.k8s.io/yaml"
)

// Output formats accepted by -o/--output.
const (
	OutputText = "text"
	OutputJSON = "json"
	OutputYAML = "yaml"
)

// ValidateOutput checks an -o value.
func ValidateOutput(format string) error {
	switch format {
	case OutputText, OutputJSON, OutputYAML:
		return nil
	}
	return fmt.Errorf("unknown output format %q: use one of text, json, yaml", format)
}

// PrintData writes v to w in the given format. Text output is produced by the
// text callback so each command keeps its own table layout. Whatever the
// format, the credentials of every URL in the output are masked
// (internal/redact): data output is where app, ingress and mirror URLs go.
func PrintData(w io.Writer, format string, v any, text func(io.Writer) error) error {
	var b bytes.Buffer
	if err := render(&b, format, v, text); err != nil {
		return err
	}
	_, err := io.WriteString(w, redact.Text(b.String()))
	return err
}

func render(w io.Writer, format string, v any, text func(io.Writer) error) error {
	switch format {
	case OutputJSON:
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		// Keep & and < literal so query parameters are recognised (and
		// masked) as such.
		enc.SetEscapeHTML(false)
		return enc.Encode(v)
	case OutputYAML:
		b, err := yaml.Marshal(v)
		if err != nil {
			return fmt.Errorf("rendering YAML: %w", err)
		}
		_, err = w.Write(b)
		return err
	case OutputText, "":
		if text == nil {
			return fmt.Errorf("text output is not available here: use -o json or -o yaml")
		}
		return text(w)
	}
	return ValidateOutput(format)
}
