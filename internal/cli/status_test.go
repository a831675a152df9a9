package cli

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestStatusPlain(t *testing.T) {
	var b bytes.Buffer
	s := NewStatus(&b, false)
	s.Start("istiod", "Installing istiod")
	s.Start("kiali", "Installing kiali")
	s.Done("istiod", "istiod installed (2s)")
	s.Fail("kiali", "")
	s.Skip("traffic", "traffic not started: a dependency failed")
	s.Close()
	require.Equal(t, ` • Installing istiod ...
 • Installing kiali ...
 ✓ istiod installed (2s)
 ✗ Installing kiali
 • traffic not started: a dependency failed
`, b.String())
}

func TestStatusSmartClearsSpinnerLine(t *testing.T) {
	var b bytes.Buffer
	s := NewStatus(&b, true)
	s.Start("a", "Installing a")
	s.Done("a", "a ready")
	s.Close()
	out := b.String()
	require.Contains(t, out, "\r\x1b[K ✓ a ready\n")
	require.True(t, strings.HasSuffix(out, "\r\x1b[K"), "Close clears the spinner line")
}

func TestIsSmartTerminal(t *testing.T) {
	env := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }
	var b bytes.Buffer
	require.False(t, isSmartTerminal(&b, env(nil)), "a buffer is not a terminal")
	require.False(t, isSmartTerminal(&b, env(map[string]string{"NO_COLOR": "1"})))
	require.False(t, isSmartTerminal(&b, env(map[string]string{"CI": "true"})))
}

func TestPrintData(t *testing.T) {
	v := map[string]any{"name": "lab", "ready": true}
	var b bytes.Buffer
	require.NoError(t, PrintData(&b, OutputJSON, v, nil))
	require.JSONEq(t, `{"name":"lab","ready":true}`, b.String())
	b.Reset()
	require.NoError(t, PrintData(&b, OutputYAML, v, nil))
	require.Equal(t, "name: lab\nready: true\n", b.String())
	require.ErrorContains(t, PrintData(&b, "xml", v, nil), `unknown output format "xml"`)
}
