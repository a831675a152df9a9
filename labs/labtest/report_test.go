package labtest

import (
	"bytes"
	"encoding/xml"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/labctl/labctl/internal/golden"
	"github.com/labctl/labctl/internal/junit"
	"github.com/labctl/labctl/labs/engine"
	"github.com/labctl/labctl/labs/scope"
	"github.com/labctl/labctl/verify"
)

// sampleReport is a run of two labs: one passes (with checks skipped on a
// simulated cluster), one fails a step and leaks an object at stop.
func sampleReport() *Report {
	skipped := verify.Result{Name: "httpbin-answers", Type: "http", Status: verify.StatusSkipped, Reason: verify.SkipSimulated}
	pass := verify.Result{Name: "two-pods", Type: "pods", Status: verify.StatusPass, Observed: "2 pod(s), 2 Ready"}
	fail := verify.Result{Name: "route", Type: "resource", Status: verify.StatusFail, Observed: "present: web",
		Message: "spec.http[0] differs (after 3 attempt(s) in 3s)"}
	before := verify.Report{Results: []verify.Result{{Name: "two-pods", Type: "pods", Status: verify.StatusFail, Observed: "1 pod(s), 1 Ready"}}}
	rep := &Report{Labs: []LabResult{
		{Lab: "sample-basics", Title: "Basics", Stack: "minimal", Mode: "sidecar", Environment: "labctl-minimal-sidecar", Seconds: 4.2,
			Cases: []Case{
				{Name: "1 scale-httpbin", Step: 1, Result: Pass, Before: &before, After: &verify.Report{Results: []verify.Result{pass}}, Seconds: 3.4,
					Actions: []engine.ActionResult{{Action: "load httpbin/get", Status: engine.ActionDone, Load: &engine.LoadSummary{
						Mode: engine.LoadIngress, URL: "http://127.0.0.1:8080/get", Requests: 20, Codes: map[int]int64{200: 19, 503: 1}}}}},
				{Name: "2 route", Step: 2, Result: Pass, After: &verify.Report{Results: []verify.Result{pass, skipped}}, Seconds: 0.31,
					Actions: []engine.ActionResult{{Action: "exec in httpbin/app=fortio: fortio load -n 20 http://httpbin:8000/get", Status: engine.ActionSkipped, Reason: engine.SkipExecSimulated}}},
				{Name: "3 traffic", Step: 3, Result: Skipped, Message: "every check was skipped: httpbin-answers: " + verify.SkipSimulated,
					After: &verify.Report{Results: []verify.Result{skipped}}, Seconds: 0.01},
				{Name: "reset to 2", Step: 2, Result: Pass, Seconds: 0.5},
				{Name: "stop", Result: Pass, Seconds: 0.2},
			}},
		{Lab: "broken", Title: "Broken", Stack: "minimal", Mode: "sidecar", Environment: "labctl-minimal-sidecar", Seconds: 9,
			Diagnostics: "/tmp/labctl-test/broken-sidecar",
			Cases: []Case{
				{Name: "1 route", Step: 1, Result: Fail, Message: "route: spec.http[0] differs (after 3 attempt(s) in 3s) (observed present: web)",
					After: &verify.Report{Results: []verify.Result{fail}}, Seconds: 3},
				{Name: "stop", Result: Fail, Message: "the environment is not as the lab found it\n  created ConfigMap demo/left",
					Changes: []scope.Change{{Op: scope.Created, Key: scope.Key{Kind: "ConfigMap", Namespace: "demo", Name: "left"}}}, Seconds: 0.4},
			}},
	}}
	rep.Finish(13200 * time.Millisecond)
	return rep
}

func TestSummaryGolden(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, WriteSummary(&b, sampleReport()))
	golden.Assert(t, "summary.golden", b.Bytes())
}

func TestJUnitGolden(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, WriteJUnit(&b, sampleReport()))
	golden.Assert(t, "junit.golden.xml", b.Bytes())
}

// TestJUnitCounts reads the JUnit back: one testsuite per lab, one
// testcase per step (classname = lab id), the counts right.
func TestJUnitCounts(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, WriteJUnit(&b, sampleReport()))
	var got junit.Suites
	require.NoError(t, xml.Unmarshal(b.Bytes(), &got))
	require.Len(t, got.Suites, 2)
	require.Equal(t, [4]int{7, 2, 0, 1}, [4]int{got.Tests, got.Failures, got.Errors, got.Skipped})
	for _, c := range got.Suites[0].Cases {
		require.Equal(t, "sample-basics", c.Classname)
	}
	require.Equal(t, "every check was skipped: httpbin-answers: "+verify.SkipSimulated, got.Suites[0].Cases[2].Skipped.Message)
}

func TestVerdict(t *testing.T) {
	rep := sampleReport()
	require.False(t, rep.Passed)
	require.True(t, rep.Labs[0].Passed)
	require.False(t, rep.Labs[1].Passed)
	require.Equal(t, Counts{Pass: 4, Fail: 2, Skipped: 1}, rep.Counts)

	ok := &Report{Labs: []LabResult{{Lab: "a", Cases: []Case{{Name: "1 x", Result: Skipped, Message: "why"}}}}}
	ok.Finish(0)
	require.True(t, ok.Passed, "a step skipped with a reason passes")
	bad := &Report{Labs: []LabResult{{Lab: "a", Cases: []Case{{Name: "1 x", Result: Skipped}}}}}
	bad.Finish(0)
	require.False(t, bad.Passed, "a skip without a reason does not")
}
