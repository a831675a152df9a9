package verify

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/util/wait"
)

// Timeouts of the Prometheus test fixture.
const (
	promReadyTimeout = 60 * time.Second
	promPollInterval = 200 * time.Millisecond
	// promCheckTimeout gives the first scrapes time to land.
	promCheckTimeout = 30 * time.Second
)

// exporter serves test metrics like an Istio sidecar would serve its own.
func exporter(t *testing.T) string {
	t.Helper()
	reg := prometheus.NewRegistry()
	requests := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "labctl_test_requests_total", Help: "test requests"}, []string{"version"})
	share := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "labctl_test_share", Help: "test shares"}, []string{"version"})
	reg.MustRegister(requests, share)
	share.WithLabelValues("v1").Set(80)
	share.WithLabelValues("v2").Set(10)
	share.WithLabelValues("v3").Set(10)
	h := promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.WithLabelValues("v1").Add(8) // every scrape sees traffic
		requests.WithLabelValues("v3").Add(2)
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().String()
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startPrometheus runs the Debian prometheus binary scraping target every
// second and returns its base URL. The process is killed when the test ends.
func startPrometheus(t *testing.T, target string) string {
	t.Helper()
	bin, err := exec.LookPath("prometheus")
	if err != nil {
		t.Skip("prometheus binary not found: install it (Debian: apt-get install -y prometheus) to run the PromQL checks against a real Prometheus")
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "prometheus.yml")
	require.NoError(t, os.WriteFile(cfg, []byte(fmt.Sprintf(`global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: exporter
    static_configs:
      - targets: [%q]
`, target)), 0o600))
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "--config.file="+cfg, "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr, "--log.level=warn")
	cmd.WaitDelay = 5 * time.Second
	logs, err := os.Create(filepath.Join(dir, "prometheus.log"))
	require.NoError(t, err)
	cmd.Stdout, cmd.Stderr = logs, logs
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		cancel() // kills the process
		_ = cmd.Wait()
		_ = logs.Close()
		if t.Failed() {
			b, _ := os.ReadFile(logs.Name())
			t.Logf("prometheus log:\n%s", b)
		}
	})
	base := "http://" + addr
	err = wait.PollUntilContextTimeout(t.Context(), promPollInterval, promReadyTimeout, true, func(ctx context.Context) (bool, error) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/-/ready", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return false, nil
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK, nil
	})
	require.NoError(t, err, "prometheus did not become ready at %s", base)
	return base
}

func TestPromQLCheck(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real Prometheus; run without -short")
	}
	base := startPrometheus(t, exporter(t))
	env := Env{Prometheus: StaticURL(base)}
	one, zero, fifty, five := 1.0, 0.0, 50.0, 5.0
	tests := []struct {
		name  string
		spec  PromQLSpec
		want  Status
		inObs string
		inMsg string
	}{
		// The first case also waits for the first scrape.
		{"target is up", PromQLSpec{Query: `up{job="exporter"}`, Op: "==", Value: &one}, StatusPass, "1", ""},
		{"traffic flows", PromQLSpec{Query: `sum(rate(labctl_test_requests_total[$window]))`, Window: Duration{10 * time.Second}, Op: ">", Value: &zero}, StatusPass, "", ""},
		{"between", PromQLSpec{Query: `labctl_test_share{version="v2"} / 100`, Between: []float64{0.05, 0.15}}, StatusPass, "0.1", ""},
		{"outside between", PromQLSpec{Query: `labctl_test_share{version="v2"} / 100`, Between: []float64{0.5, 1}}, StatusFail, "0.1", "not between 0.5 and 1"},
		{"every series compared", PromQLSpec{Query: `labctl_test_share`, Op: ">", Value: &five}, StatusPass, `version="v3"`, ""},
		{"some series fail", PromQLSpec{Query: `labctl_test_share`, Op: ">=", Value: &fifty}, StatusFail, "", "2 of 3 series not >= 50"},
		{"ratio within tolerance", PromQLSpec{Query: `sum(labctl_test_share{version="v3"})`,
			Ratio: &PromRatio{Denominator: `sum(labctl_test_share)`, Expected: 0.1, Tolerance: 0.01}}, StatusPass, "0.1 (10 / 100)", ""},
		{"ratio off", PromQLSpec{Query: `sum(labctl_test_share{version="v3"})`,
			Ratio: &PromRatio{Denominator: `sum(labctl_test_share)`, Expected: 0.2, Tolerance: 0.05}}, StatusFail, "0.1", "outside 0.2 ± 0.05"},
		{"no samples", PromQLSpec{Query: `labctl_no_such_metric`, Op: ">", Value: &zero}, StatusFail, "no samples", "is traffic flowing"},
		{"bad PromQL", PromQLSpec{Query: `sum(`, Op: ">", Value: &zero}, StatusError, "", "is not valid PromQL"},
		{"range vector", PromQLSpec{Query: `up[1m]`, Op: ">", Value: &zero}, StatusError, "", "returned a matrix"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := tt.spec
			s := Spec{Name: tt.name, PromQL: &spec, Timeout: Duration{promCheckTimeout}, Interval: Duration{500 * time.Millisecond}}
			if tt.want != StatusPass {
				s.Timeout = Duration{2 * time.Second}
			}
			res := Runner{Env: env}.RunOne(t.Context(), s)
			assert.Equal(t, tt.want, res.Status, res.Message)
			assert.Contains(t, res.Observed, tt.inObs)
			assert.Contains(t, res.Message, tt.inMsg)
		})
	}
}

func TestPromQLUnreachable(t *testing.T) {
	url := fmt.Sprintf("http://127.0.0.1:%d", freePort(t))
	zero := 0.0
	res := Runner{Env: Env{Prometheus: StaticURL(url)}}.RunOne(t.Context(), Spec{Name: "down", Timeout: Duration{300 * time.Millisecond},
		Interval: Duration{100 * time.Millisecond}, PromQL: &PromQLSpec{Query: "up", Op: ">", Value: &zero}})
	assert.Equal(t, StatusError, res.Status)
	assert.Contains(t, res.Message, "querying Prometheus at "+url)
}

func TestPromQLValidate(t *testing.T) {
	v := 1.0
	tests := []struct {
		spec PromQLSpec
		want string
	}{
		{PromQLSpec{}, "query is required"},
		{PromQLSpec{Query: "up"}, "exactly one comparison"},
		{PromQLSpec{Query: "up", Op: "=>", Value: &v}, `op "=>"`},
		{PromQLSpec{Query: "up", Op: ">"}, "needs value"},
		{PromQLSpec{Query: "up", Between: []float64{2, 1}}, "lo <= hi"},
		{PromQLSpec{Query: "up", Op: ">", Value: &v, Between: []float64{1, 2}}, "exactly one comparison"},
		{PromQLSpec{Query: "up", Ratio: &PromRatio{}}, "denominator"},
	}
	for _, tt := range tests {
		assert.ErrorContains(t, tt.spec.validate(), tt.want)
	}
	assert.Equal(t, "rate(x[2m])", (&PromQLSpec{Window: Duration{2 * time.Minute}}).expand("rate(x[$window])"))
	assert.Equal(t, "rate(x[1m])", (&PromQLSpec{}).expand("rate(x[$window])"))
}
