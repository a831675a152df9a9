package portforward

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/httpstream"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/portforward"
	"k8s.io/client-go/transport/spdy"
)

// BindAddress is the only address tunnels listen on. It is deliberately not an
// option: dashboards behind the tunnels run with anonymous admin access.
const BindAddress = "127.0.0.1"

// bindAddresses is what Start hands to client-go; a test pins it.
func bindAddresses() []string { return []string{BindAddress} }

// Options says what to forward.
type Options struct {
	Namespace string
	Service   string
	// Port is the Service port; 0 means the Service's first port.
	Port int32
	// LocalPort is the port on 127.0.0.1; 0 picks a free one.
	LocalPort int
	// Scheme of the returned URL; empty means http.
	Scheme string
	// Path is appended to the URL (for example /kiali).
	Path string
	// ReadyTimeout bounds the wait for a Ready pod; 0 means ReadyPodTimeout.
	ReadyTimeout time.Duration
	// Log receives client-go's "Forwarding from" / "Handling connection" lines; nil discards them.
	Log io.Writer
}

// Session is a running tunnel.
type Session struct {
	// URL to open, e.g. http://127.0.0.1:43121/kiali.
	URL       string
	LocalPort int
	Backend   Backend
	done      chan struct{}
	err       error
}

// Done is closed when the tunnel has stopped (context cancelled or connection lost).
func (s *Session) Done() <-chan struct{} { return s.done }

// Err reports why the tunnel stopped: nil after a cancel, an error if the
// connection to the pod was lost. Call it after Done is closed.
func (s *Session) Err() error { return s.err }

// runner is the part of client-go's PortForwarder that Start uses.
type runner interface {
	ForwardPorts() error
	GetPorts() ([]portforward.ForwardedPort, error)
}

// newRunnerFunc builds a runner; the default wraps portforward.NewOnAddressesWithContext.
type newRunnerFunc func(ctx context.Context, dialer httpstream.Dialer, addresses, ports []string, ready chan struct{}, out, errOut io.Writer) (runner, error)

func defaultNewRunner(ctx context.Context, dialer httpstream.Dialer, addresses, ports []string, ready chan struct{}, out, errOut io.Writer) (runner, error) {
	return portforward.NewOnAddressesWithContext(ctx, dialer, addresses, ports, ready, out, errOut)
}

// Forwarder opens tunnels with one set of cluster clients.
type Forwarder struct {
	Kube kubernetes.Interface
	REST *rest.Config

	// newDialer and newRunner are replaced in tests.
	newDialer func(namespace, pod string) (httpstream.Dialer, error)
	newRunner newRunnerFunc
}

// New returns a Forwarder using the API server's pods/portforward subresource.
func New(kube kubernetes.Interface, cfg *rest.Config) *Forwarder {
	f := &Forwarder{Kube: kube, REST: cfg, newRunner: defaultNewRunner}
	f.newDialer = f.apiServerDialer
	return f
}

// apiServerDialer dials pods/portforward over WebSocket, falling back to SPDY
// for API servers that do not support the WebSocket tunnel (as kubectl does).
func (f *Forwarder) apiServerDialer(namespace, pod string) (httpstream.Dialer, error) {
	if f.REST == nil {
		return nil, errors.New("no REST config for the cluster: cannot open a port-forward")
	}
	u := f.Kube.CoreV1().RESTClient().Post().Resource("pods").Namespace(namespace).Name(pod).SubResource("portforward").URL()
	transport, upgrader, err := spdy.RoundTripperFor(f.REST)
	if err != nil {
		return nil, fmt.Errorf("build SPDY transport: %w", err)
	}
	spdyDialer := spdy.NewDialer(upgrader, &http.Client{Transport: transport}, http.MethodPost, u)
	wsDialer, err := portforward.NewSPDYOverWebsocketDialer(u, f.REST)
	if err != nil {
		return nil, fmt.Errorf("build WebSocket dialer: %w", err)
	}
	return portforward.NewFallbackDialer(wsDialer, spdyDialer, func(err error) bool {
		return httpstream.IsUpgradeFailure(err) || httpstream.IsHTTPSProxyError(err)
	}), nil
}

// Start resolves the Service to a Ready pod, starts forwarding 127.0.0.1:LocalPort
// to it and returns once the local listener is up. The tunnel runs until ctx is
// cancelled; Session.Done tells when it has stopped.
func (f *Forwarder) Start(ctx context.Context, o Options) (*Session, error) {
	if o.LocalPort < 0 || o.LocalPort > 65535 {
		return nil, fmt.Errorf("local port %d is out of range 0-65535 (0 picks a free port)", o.LocalPort)
	}
	timeout := o.ReadyTimeout
	if timeout == 0 {
		timeout = ReadyPodTimeout
	}
	be, err := f.resolve(ctx, o.Namespace, o.Service, o.Port, timeout)
	if err != nil {
		return nil, err
	}
	dialer, err := f.newDialer(o.Namespace, be.Pod)
	if err != nil {
		return nil, fmt.Errorf("port-forward to pod %s/%s: %w", o.Namespace, be.Pod, err)
	}
	out := o.Log
	if out == nil {
		out = io.Discard
	}
	ready := make(chan struct{})
	ports := []string{fmt.Sprintf("%d:%d", o.LocalPort, be.PodPort)}
	pf, err := f.newRunner(ctx, dialer, bindAddresses(), ports, ready, out, out)
	if err != nil {
		return nil, fmt.Errorf("port-forward to pod %s/%s: %w", o.Namespace, be.Pod, err)
	}

	s := &Session{Backend: be, done: make(chan struct{})}
	errCh := make(chan error, 1)
	go func() {
		errCh <- pf.ForwardPorts()
	}()

	select {
	case <-ready:
	case err := <-errCh:
		close(s.done)
		if err == nil {
			err = errors.New("stopped before it was ready")
		}
		return nil, fmt.Errorf("port-forward %s:%d -> pod %s/%s port %d: %w%s", BindAddress, o.LocalPort, o.Namespace, be.Pod, be.PodPort, err, hintFor(err, o.LocalPort))
	case <-ctx.Done():
		<-errCh
		close(s.done)
		return nil, ctx.Err()
	}

	fp, err := pf.GetPorts()
	if err != nil || len(fp) == 0 {
		return nil, fmt.Errorf("port-forward to pod %s/%s: cannot read the local port: %v", o.Namespace, be.Pod, err)
	}
	s.LocalPort = int(fp[0].Local)
	s.URL = buildURL(o.Scheme, s.LocalPort, o.Path)

	go func() {
		err := <-errCh
		if err != nil && ctx.Err() == nil {
			s.err = fmt.Errorf("port-forward to pod %s/%s stopped: %w; run the command again to reconnect", o.Namespace, be.Pod, err)
		}
		close(s.done)
	}()
	return s, nil
}

func hintFor(err error, localPort int) string {
	if localPort != 0 && strings.Contains(err.Error(), "unable to listen") {
		return fmt.Sprintf(" (is local port %d already in use? use another port, or 0 to pick a free one)", localPort)
	}
	return ""
}

// buildURL returns scheme://127.0.0.1:port/path.
func buildURL(scheme string, port int, path string) string {
	if scheme == "" {
		scheme = "http"
	}
	if path != "" && !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	return scheme + "://" + net.JoinHostPort(BindAddress, strconv.Itoa(port)) + path
}
