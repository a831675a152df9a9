package report

import (
	"bytes"
	"testing"
	"time"

	"github.com/labctl/labctl/internal/golden"
	"github.com/labctl/labctl/verify"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func sample() verify.Report {
	res := []verify.Result{
		{Name: "reviews-pods", Type: "pods", Status: verify.StatusPass, Duration: 120 * time.Millisecond, Attempts: 1,
			Observed: "3 pod(s), 3 Ready", Expected: "3 pod(s), all Ready, with istio-proxy"},
		{Name: "reviews-split", Type: "split", Status: verify.StatusFail, Duration: 95 * time.Second, Attempts: 3,
			Observed: "v1 70.2% (544), v2 19.6% (152), v3 10.2% (79) of 775 responses",
			Expected: "v1 80%, v2 10%, v3 10%",
			Message:  "traffic split differs from the weights: v1 got 70.2%, expected 80% (accepted 75.1%–84.6% for this sample) (after 3 attempt(s))",
			Hint:     "Apply the 80/10/10 VirtualService & wait for it to propagate."},
		{Name: "kiali-edge", Type: "kiali", Status: verify.StatusSkipped, Reason: verify.SkipSimulated},
		{Name: "prometheus", Type: "promql", Status: verify.StatusError, Duration: 2 * time.Minute, Attempts: 60,
			Message: `querying Prometheus at http://127.0.0.1:9090: connection refused <after 60 attempt(s)>`},
	}
	for i := range res {
		res[i].Seconds = res[i].Duration.Seconds()
	}
	rep := verify.Report{Name: "bookinfo-traffic-shifting", Results: res, Duration: 215 * time.Second, Seconds: 215,
		Counts: verify.Counts{Pass: 1, Fail: 1, Skipped: 1, Error: 1}}
	return rep
}

func TestWriteText(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, WriteText(&b, sample(), false))
	golden.Assert(t, "report.txt", b.Bytes())
	assert.NotContains(t, b.String(), "\x1b[", "no colour unless asked")

	b.Reset()
	require.NoError(t, WriteText(&b, sample(), true))
	assert.Contains(t, b.String(), "\x1b[32m✓\x1b[0m")
	assert.Contains(t, b.String(), "\x1b[31m✗\x1b[0m")
}

func TestWriteJSON(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, WriteJSON(&b, sample()))
	golden.Assert(t, "report.json", b.Bytes())
}

func TestWriteJUnit(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, WriteJUnit(&b, sample()))
	golden.Assert(t, "report.junit.xml", b.Bytes())
}

func TestMarks(t *testing.T) {
	for st, want := range map[verify.Status]string{verify.StatusPass: "✓", verify.StatusFail: "✗", verify.StatusSkipped: "⊘", verify.StatusError: "!"} {
		assert.Equal(t, want, Mark(st))
	}
}

// TestWritersRedactCredentials: results built by any code (not only the
// runner) are rendered without URL credentials in every format.
func TestWritersRedactCredentials(t *testing.T) {
	rep := verify.Report{Name: "creds", Results: []verify.Result{{
		Name: "prom", Type: "promql", Status: verify.StatusError, Attempts: 1,
		Observed: "GET http://admin:s3cret@prom:9090/api?token=t0ken",
		Expected: "an answer from https://u:s3cret@h/",
		Message:  `querying Prometheus at "http://admin:s3cret@prom:9090": connection refused`,
		Hint:     "try http://admin:s3cret@prom:9090/graph?api_key=t0ken",
	}, {Name: "web", Type: "http", Status: verify.StatusFail, Message: "GET http://a:s3cret@h/"}}}
	writers := map[string]func(*bytes.Buffer) error{
		"text":  func(b *bytes.Buffer) error { return WriteText(b, rep, false) },
		"json":  func(b *bytes.Buffer) error { return WriteJSON(b, rep) },
		"junit": func(b *bytes.Buffer) error { return WriteJUnit(b, rep) },
		"line": func(b *bytes.Buffer) error {
			_, err := b.WriteString(Line(rep.Results[0]) + Line(rep.Results[1]))
			return err
		},
	}
	for name, write := range writers {
		var b bytes.Buffer
		require.NoError(t, write(&b), name)
		assert.NotContains(t, b.String(), "s3cret", name)
		assert.NotContains(t, b.String(), "t0ken", name)
	}
	var b bytes.Buffer
	require.NoError(t, WriteText(&b, rep, false))
	assert.Contains(t, b.String(), "http://xxxxx@prom:9090")
}
