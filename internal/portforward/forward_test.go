package portforward

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/httpstream"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/tools/portforward"
)

// newTestForwarder wires a Forwarder to a fake API (one Ready kiali pod with a
// named port 20001) and a fake pods/portforward that connects to backend.
func newTestForwarder(t *testing.T, backend string) (*Forwarder, *fakeDialer) {
	t.Helper()
	sel := map[string]string{"app": "kiali"}
	kube := fake.NewClientset(
		service("istio-system", "kiali", sel, svcPort(20001, intstr.FromString("http"))),
		pod("istio-system", "kiali-0", sel, corev1.PodRunning, true, corev1.ContainerPort{Name: "http", ContainerPort: 20001}),
	)
	f := New(kube, nil)
	d := &fakeDialer{target: backend}
	f.newDialer = func(ns, pod string) (httpstream.Dialer, error) {
		require.Equal(t, "istio-system", ns)
		require.Equal(t, "kiali-0", pod)
		return d, nil
	}
	return f, d
}

// TestStartForwardsAndStops runs client-go's real PortForwarder against a fake
// API connection: the tunnel listens on 127.0.0.1, carries an HTTP request to
// the "pod", and stops cleanly when the context is cancelled.
func TestStartForwardsAndStops(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "kiali at %s", r.URL.Path)
	}))
	defer backend.Close()
	f, d := newTestForwarder(t, backend.Listener.Addr().String())

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, err := f.Start(ctx, Options{Namespace: "istio-system", Service: "kiali", Path: "/kiali"})
	require.NoError(t, err)

	u, err := url.Parse(s.URL)
	require.NoError(t, err)
	assert.Equal(t, "http", u.Scheme)
	assert.Equal(t, "127.0.0.1", u.Hostname(), "tunnels must bind to loopback only")
	assert.Equal(t, strconv.Itoa(s.LocalPort), u.Port())
	assert.NotZero(t, s.LocalPort, "local port 0 must be replaced by the port actually bound")
	assert.Equal(t, "/kiali", u.Path)
	assert.Equal(t, Backend{Pod: "kiali-0", PodPort: 20001, ServicePort: 20001}, s.Backend)

	resp, err := http.Get(s.URL)
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, resp.Body.Close())
	require.NoError(t, err)
	assert.Equal(t, "kiali at /kiali", string(body))
	assert.Equal(t, []string{"20001"}, d.conn.requestedPorts(), "the named targetPort is resolved to the pod port")

	cancel()
	<-s.Done() // a tunnel that ignores the cancel hangs the test until its -timeout
	assert.NoError(t, s.Err(), "a cancel is a clean stop")
	_, err = net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(s.LocalPort)), time.Second)
	assert.Error(t, err, "the local listener must be closed after stop")
}

// TestStartLostConnection reports a dropped API connection through Session.Err.
func TestStartLostConnection(t *testing.T) {
	f, d := newTestForwarder(t, "127.0.0.1:1")
	s, err := f.Start(context.Background(), Options{Namespace: "istio-system", Service: "kiali"})
	require.NoError(t, err)
	require.NoError(t, d.conn.Close())
	<-s.Done() // a tunnel that misses the lost connection hangs the test until its -timeout
	require.Error(t, s.Err())
	assert.Contains(t, s.Err().Error(), "run the command again")
}

// TestStartPortInUse asks for a local port that is taken.
func TestStartPortInUse(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer busy.Close()
	port := busy.Addr().(*net.TCPAddr).Port

	f, _ := newTestForwarder(t, "127.0.0.1:1")
	_, err = f.Start(context.Background(), Options{Namespace: "istio-system", Service: "kiali", LocalPort: port})
	require.Error(t, err)
	assert.Contains(t, err.Error(), fmt.Sprintf("is local port %d already in use", port))
}

// recordingRunner captures what Start passes to client-go.
type recordingRunner struct {
	addresses, ports []string
	ready            chan struct{}
	ctx              context.Context
}

func (r *recordingRunner) ForwardPorts() error {
	close(r.ready)
	<-r.ctx.Done()
	return nil
}

// TestBindAddressIsAlwaysLoopback pins the addresses handed to client-go's
// NewOnAddresses: exactly ["127.0.0.1"], whatever the options say.
func TestBindAddressIsAlwaysLoopback(t *testing.T) {
	cases := []Options{
		{Namespace: "istio-system", Service: "kiali"},
		{Namespace: "istio-system", Service: "kiali", LocalPort: 20001},
		{Namespace: "istio-system", Service: "kiali", LocalPort: 8080, Scheme: "https", Path: "/x"},
		{Namespace: "istio-system", Service: "kiali", Port: 20001, LocalPort: 65535},
	}
	for _, o := range cases {
		t.Run(fmt.Sprintf("local-%d", o.LocalPort), func(t *testing.T) {
			f, _ := newTestForwarder(t, "127.0.0.1:1")
			var rec *recordingRunner
			f.newRunner = func(ctx context.Context, _ httpstream.Dialer, addresses, ports []string, ready chan struct{}, _, _ io.Writer) (runner, error) {
				rec = &recordingRunner{addresses: addresses, ports: ports, ready: ready, ctx: ctx}
				return runnerWithPorts{rec, o.LocalPort}, nil
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			s, err := f.Start(ctx, o)
			require.NoError(t, err)
			require.NotNil(t, rec)
			assert.Equal(t, []string{"127.0.0.1"}, rec.addresses)
			assert.Equal(t, []string{fmt.Sprintf("%d:20001", o.LocalPort)}, rec.ports)
			assert.Equal(t, "127.0.0.1", mustURL(t, s.URL).Hostname())
		})
	}
	assert.Equal(t, "127.0.0.1", BindAddress)
	assert.Equal(t, []string{"127.0.0.1"}, bindAddresses())
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	require.NoError(t, err)
	return u
}

func TestStartRejectsBadLocalPort(t *testing.T) {
	f, _ := newTestForwarder(t, "127.0.0.1:1")
	for _, p := range []int{-1, 65536} {
		_, err := f.Start(context.Background(), Options{Namespace: "istio-system", Service: "kiali", LocalPort: p})
		assert.ErrorContains(t, err, "out of range")
	}
}

func TestBuildURL(t *testing.T) {
	cases := []struct {
		scheme, path string
		port         int
		want         string
	}{
		{"", "", 3000, "http://127.0.0.1:3000"},
		{"", "/kiali", 20001, "http://127.0.0.1:20001/kiali"},
		{"https", "productpage", 8443, "https://127.0.0.1:8443/productpage"},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, buildURL(tc.scheme, tc.port, tc.path))
	}
}

// runnerWithPorts reports a fixed local port, as client-go does once listening.
type runnerWithPorts struct {
	*recordingRunner
	local int
}

func (r runnerWithPorts) GetPorts() ([]portforward.ForwardedPort, error) {
	return []portforward.ForwardedPort{{Local: uint16(r.local), Remote: 20001}}, nil
}
