package loadgen

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"fortio.org/fortio/fhttp"
	"fortio.org/fortio/periodic"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/labctl/labctl/internal/golden"
)

// fixture is a deterministic result, as a run of 1000 requests would give.
func fixture(t *testing.T) *Result {
	t.Helper()
	lat, svc := newHistogram(), newHistogram()
	for i := range 1000 {
		d := time.Duration(1000+i*20) * time.Microsecond
		lat.record(d)
		svc.record(d)
	}
	errs := newHistogram()
	for i := range 10 {
		errs.record(time.Duration(20+i) * time.Millisecond)
	}
	late := newHistogram()
	for i := range 100 {
		late.record(time.Duration(10+i) * time.Microsecond)
	}
	ho, err := httpOptions(&Options{URL: "http://127.0.0.1:8080/productpage", Host: "bookinfo.example", Timeout: time.Second})
	require.NoError(t, err)
	r := &Result{HTTPRunnerResults: fhttp.HTTPRunnerResults{
		HTTPOptions: *ho,
		RunnerResults: periodic.RunnerResults{
			RunType: "HTTP", RequestedQPS: "20", RequestedDuration: "50s", ActualQPS: 19.98,
			ActualDuration: 50050 * time.Millisecond, NumThreads: 8,
			DurationHistogram: lat.export(Percentiles()), ErrorsDurationHistogram: errs.export(Percentiles()),
		},
		RetCodes: map[int]int64{200: 990, 503: 8, -1: 2},
	}}
	r.Labctl = Extra{
		Source: "labctl", TargetRPS: 20, Classifier: "bookinfo-reviews",
		Classes:     map[string]int64{"v1": 330, "v2": 330, "v3": 330, Unclassified: 10},
		ServiceTime: svc.export(Percentiles()), SendLateness: late.export(Percentiles()), SocketErrors: 2,
		Warnings: []string{"2 requests failed without an HTTP response: connect 127.0.0.1:8080: connection refused"},
	}
	return r
}

func TestSummaryGolden(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, fixture(t).Summary(&b))
	golden.Assert(t, "summary.golden", b.Bytes())
}

func TestJSONRoundTripFortioNames(t *testing.T) {
	r := fixture(t)
	var b bytes.Buffer
	require.NoError(t, r.WriteJSON(&b))
	for _, field := range []string{`"RunType": "HTTP"`, `"ActualQPS": 19.98`, `"RequestedQPS": "20"`, `"NumThreads": 8`,
		`"DurationHistogram"`, `"Percentiles"`, `"RetCodes"`, `"200": 990`, `"URL": "http://127.0.0.1:8080/productpage"`,
		`"Labctl"`, `"Classes"`} {
		assert.Contains(t, b.String(), field)
	}
	back, err := ReadJSON(&b)
	require.NoError(t, err)
	assert.Equal(t, r.RetCodes, back.RetCodes)
	assert.Equal(t, r.Labctl.Classes, back.Labctl.Classes)
	assert.InDelta(t, 0.33, back.Share("v3"), 0.01)
	assert.Equal(t, r.Percentile(99), back.Percentile(99))

	_, err = ReadJSON(strings.NewReader(`{"foo":1}`))
	require.ErrorContains(t, err, "DurationHistogram")
}

func TestFormatDuration(t *testing.T) {
	tests := map[time.Duration]string{
		0: "0", 87 * time.Microsecond: "87.0µs", 1234 * time.Microsecond: "1.23ms",
		45600 * time.Microsecond: "45.6ms", 2346 * time.Millisecond: "2.35s", 90 * time.Second: "1m30s",
	}
	for d, want := range tests {
		assert.Equal(t, want, FormatDuration(d), d.String())
	}
}
