package lab

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
)

var ansi = regexp.MustCompile("\x1b\\[[0-9;]*m")

const sampleMD = "# Scale it\n\n```sh\nkubectl scale deployment web --replicas 2\n```\n"

func TestMarkdownForNonTerminalsIsPlain(t *testing.T) {
	t.Setenv("NO_COLOR", "")
	f, err := os.Create(filepath.Join(t.TempDir(), "out"))
	require.NoError(t, err)
	defer f.Close()
	for name, out := range map[string]any{"a buffer": &bytes.Buffer{}, "a file": f} {
		md := MarkdownFor(out.(interface{ Write([]byte) (int, error) }))
		require.Equal(t, Markdown{}, md, name)
		var b bytes.Buffer
		require.NoError(t, md.Render(&b, sampleMD))
		require.Equal(t, sampleMD, b.String(), "%s gets the Markdown as written", name)
	}
}

// TestMarkdownRenderedForATerminal: with a width (a terminal), the text is
// rendered: no Markdown syntax left, ANSI styling instead.
func TestMarkdownRenderedForATerminal(t *testing.T) {
	t.Setenv("GLAMOUR_STYLE", "")
	var b bytes.Buffer
	require.NoError(t, Markdown{Width: 60}.Render(&b, sampleMD))
	out := b.String()
	require.Contains(t, out, "\x1b[", "styled with ANSI escapes")
	text := ansi.ReplaceAllString(out, "")
	require.Contains(t, text, "Scale it")
	require.Contains(t, text, "kubectl scale deployment web --replicas 2")
	require.NotContains(t, text, "```")
	require.NotContains(t, text, "# Scale it")
}
