package dashboards

import (
	"encoding/json"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type dashboard struct {
	UID    string `json:"uid"`
	Title  string `json:"title"`
	Panels []struct {
		Title   string `json:"title"`
		Targets []struct {
			Expr string `json:"expr"`
		} `json:"targets"`
	} `json:"panels"`
}

// Metrics Istio actually exports (FACTS.md); a typo in a query would show an empty panel.
var knownMetric = regexp.MustCompile(`^istio_(requests_total|request_duration_milliseconds_bucket|tcp_sent_bytes_total|tcp_received_bytes_total|tcp_connections_opened_total|tcp_connections_closed_total)$`)

var metricRef = regexp.MustCompile(`\b(istio_[a-z_]+)\b`)

func TestDashboards(t *testing.T) {
	names := Names()
	require.Equal(t, []string{"labctl-mesh", "labctl-traffic"}, names)
	for _, n := range names {
		t.Run(n, func(t *testing.T) {
			b, err := Get(n)
			require.NoError(t, err)
			var d dashboard
			require.NoError(t, json.Unmarshal(b, &d))
			assert.Equal(t, n, d.UID, "uid must match the file name")
			assert.NotEmpty(t, d.Title)
			require.NotEmpty(t, d.Panels)
			for _, p := range d.Panels {
				require.NotEmpty(t, p.Targets, p.Title)
				for _, tg := range p.Targets {
					refs := metricRef.FindAllString(tg.Expr, -1)
					require.NotEmpty(t, refs, "panel %q queries no Istio metric", p.Title)
					for _, m := range refs {
						assert.Regexp(t, knownMetric, m, "panel %q", p.Title)
					}
				}
			}
		})
	}
	_, err := Get("missing")
	assert.ErrorContains(t, err, "labctl-mesh")
}
