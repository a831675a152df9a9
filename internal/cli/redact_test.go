package cli

import (
	"bytes"
	"fmt"
	"io"
	"testing"

	"github.com/labctl/labctl/internal/progress"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const credURL = "https://admin:s3cret@mirror.example/charts?token=t0ken&page=2"

// Every line labctl writes through its status, logger and data printer has
// URL credentials masked, whatever the caller passed.
func TestOutputsRedactCredentials(t *testing.T) {
	for _, smart := range []bool{false, true} {
		var b bytes.Buffer
		s := NewStatus(&b, smart)
		s.Start("charts", "Fetching "+credURL)
		s.Info("mirror " + credURL)
		s.Done("charts", "")
		s.Start("x", "Fetching x")
		s.Fail("x", "x from "+credURL+" failed")
		s.Close()
		assertRedacted(t, fmt.Sprintf("status smart=%v", smart), b.String())
	}

	var b bytes.Buffer
	l := NewLogger(&b, 3)
	l.Warnf("mirror %s", credURL)
	l.Errorf("mirror %s", credURL)
	l.V(1).Infof("mirror %s", credURL)
	progress.Slog(l).Info("fetching", "url", credURL)
	assertRedacted(t, "logger", b.String())

	v := map[string]string{"url": credURL}
	for _, format := range []string{OutputText, OutputJSON, OutputYAML} {
		var b bytes.Buffer
		require.NoError(t, PrintData(&b, format, v, func(w io.Writer) error {
			_, err := fmt.Fprintf(w, "URL %s\n", credURL)
			return err
		}))
		assertRedacted(t, "PrintData "+format, b.String())
		assert.Contains(t, b.String(), "page=2", format)
	}
}

func assertRedacted(t *testing.T, what, out string) {
	t.Helper()
	assert.NotContains(t, out, "s3cret", what)
	assert.NotContains(t, out, "t0ken", what)
	assert.Contains(t, out, "xxxxx@mirror.example", what)
}
