package lab

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/labctl/labctl/labs/engine"
)

func TestWriteActionsShowsSkipsAndLoads(t *testing.T) {
	var b bytes.Buffer
	writeActions(&b, []engine.ActionResult{
		{Action: "apply manifests/route.yaml", Status: engine.ActionDone},
		{Action: "load httpbin/get", Status: engine.ActionSkipped, Reason: engine.SkipLoadSimulated},
		{Action: "load httpbin/get", Status: engine.ActionDone, Load: &engine.LoadSummary{Mode: engine.LoadInCluster,
			URL: "http://httpbin.httpbin.svc.cluster.local:8000/get", Requests: 40, Codes: map[int]int64{200: 38, -1: 2},
			RPS: 19.5, P50: 3.21, P90: 5, P99: 9.87, Seconds: 2.05}},
	})
	require.Equal(t, ` ⊘ load httpbin/get: skipped: simulated cluster has no data plane: nothing answers requests, so no load was sent
 • load httpbin/get (in-cluster): 40 request(s) to http://httpbin.httpbin.svc.cluster.local:8000/get in 2.0s (19.5/s): no-response×2 200×38; latency p50 3.2ms, p90 5.0ms, p99 9.9ms
`, b.String(), "plain actions that simply ran are not repeated")
}
