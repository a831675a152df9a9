package portforward

import (
	"net"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLookup(t *testing.T) {
	cases := []struct {
		name      string
		service   string
		port      int32
		path      string
		localPort int
	}{
		{"kiali", "kiali", 20001, "/kiali", 20001},
		{"grafana", "grafana", 3000, "", 3000},
		{"prometheus", "prometheus", 9090, "", 9090},
		{"jaeger", "jaeger", 16686, "", 16686},
		{"zipkin", "zipkin", 9411, "", 9411},
	}
	require.Len(t, Dashboards(), len(cases))
	for _, tc := range cases {
		d, err := Lookup(tc.name)
		require.NoError(t, err, tc.name)
		assert.Equal(t, AddonNamespace, d.Namespace)
		assert.Equal(t, tc.service, d.Service)
		assert.Equal(t, tc.port, d.Port)
		assert.Equal(t, tc.path, d.Path)
		assert.Equal(t, tc.localPort, d.LocalPort)
		assert.NotEmpty(t, d.Description)
	}
	_, err := Lookup("kibana")
	assert.ErrorIs(t, err, ErrUnknownDashboard)
	assert.ErrorContains(t, err, "kiali, grafana, prometheus, jaeger, zipkin, app")
}

func TestAppDashboard(t *testing.T) {
	d := AppDashboard("/productpage")
	assert.Equal(t, Dashboard{Name: "app", Namespace: "istio-ingress", Service: "istio-ingress", Port: 80, Path: "/productpage", LocalPort: 8080, Description: d.Description}, d)
}

func TestOptionsPicksFreeConventionalPort(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer busy.Close()
	taken := busy.Addr().(*net.TCPAddr).Port

	free, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	freePort := free.Addr().(*net.TCPAddr).Port
	require.NoError(t, free.Close())

	cases := []struct {
		name          string
		conventional  int
		requested     int
		wantLocalPort int
	}{
		{"conventional port free", freePort, 0, freePort},
		{"conventional port taken: pick any", taken, 0, 0},
		{"explicit port wins", taken, 4242, 4242},
		{"no conventional port", 0, 0, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := Dashboard{Namespace: "ns", Service: "svc", Port: 80, Path: "/p", LocalPort: tc.conventional}
			o := d.Options(tc.requested)
			assert.Equal(t, tc.wantLocalPort, o.LocalPort, "conventional %s", strconv.Itoa(tc.conventional))
			assert.Equal(t, Options{Namespace: "ns", Service: "svc", Port: 80, LocalPort: o.LocalPort, Path: "/p"}, o)
		})
	}
}
