// Package dashboards holds labctl's own small Grafana dashboards (JSON), built
// for what the labs check: request rate, success rate, latency, TCP bytes,
// per-version traffic split, response codes and flags. They are provisioned
// inline through the Grafana chart's values (see package values), so they work
// without internet access.
package dashboards
