package verify

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Issue 13 item 12: retry settings are bounded, a URL scheme checks cannot
// request fails at once, and duration errors name check, field and line.
func TestRetrySettingsAreBounded(t *testing.T) {
	head := "apiVersion: labctl.dev/v1alpha1\nkind: CheckSet\nmetadata: {name: x}\nchecks:\n  - name: a\n    pods: {namespace: x}\n"
	tests := []struct {
		name, extra, want string
	}{
		{"interval of 1ns", "    interval: 1ns\n", `set.yaml:7: checks[0]: check "a": interval: 1ns is shorter than the minimum 100ms`},
		{"a billion successes", "    successes: 1000000000\n", `set.yaml:7: checks[0]: check "a": successes: 1000000000 is more than the maximum 100`},
		{"a timeout of a day", "    timeout: 24h\n", `set.yaml:7: checks[0]: check "a": timeout: 24h0m0s is longer than the maximum 30m0s`},
		{"negative timeout", "    timeout: -1s\n", `set.yaml:7: checks[0]: check "a": timeout: -1s is negative`},
		{"bad duration names check, field and line", "    interval: 5 seconds\n", `set.yaml:7: checks[0].interval: duration "5 seconds": time: unknown unit " seconds" in duration "5 seconds" (use units such as ms, s, m) (in "a")`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseCheckSet("set.yaml", []byte(head+tt.extra))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	_, err := ParseCheckSet("set.yaml", []byte(head+"    interval: 100ms\n    successes: 100\n    timeout: 30m\n"))
	require.NoError(t, err, "the bounds themselves are allowed")
}

func TestUnsupportedSchemeFailsAtOnce(t *testing.T) {
	_, err := ParseCheckSet("set.yaml", []byte("apiVersion: labctl.dev/v1alpha1\nkind: CheckSet\nmetadata: {name: x}\nchecks:\n"+
		"  - name: a\n    http: {url: \"ftp://example.com/x\"}\n"))
	require.ErrorContains(t, err, `set.yaml:5: checks[0]: check "a": http: URL "ftp://example.com/x": scheme "ftp" is not supported: use http or https`)

	specs := []Spec{
		{Name: "ingress", Timeout: Duration{2 * time.Minute}, HTTP: &HTTPSpec{Target: Target{App: "bookinfo"}}},
		{Name: "prom", Timeout: Duration{2 * time.Minute}, PromQL: &PromQLSpec{Query: "up", Op: ">", Value: new(float64)}},
	}
	env := Env{Ingress: "ftp://127.0.0.1:8080", Prometheus: StaticURL("gopher://127.0.0.1:9090")}
	for _, s := range specs {
		res := Runner{Env: env}.RunOne(t.Context(), s)
		assert.Equal(t, StatusError, res.Status, s.Name)
		assert.Contains(t, res.Message, "is not supported: use http or https", s.Name)
		assert.LessOrEqual(t, res.Attempts, 1, "%s: not retried", s.Name)
	}
}
