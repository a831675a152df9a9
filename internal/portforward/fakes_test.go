package portforward

import (
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/httpstream"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/tools/portforward"
)

// fakeDialer stands in for the API server's pods/portforward endpoint: every
// data stream is connected to target (a local TCP server playing the pod).
type fakeDialer struct {
	target string
	conn   *fakeConn
}

func (d *fakeDialer) Dial(...string) (httpstream.Connection, string, error) {
	d.conn = &fakeConn{target: d.target, closed: make(chan bool)}
	return d.conn, portforward.PortForwardProtocolV1Name, nil
}

type fakeConn struct {
	target    string
	mu        sync.Mutex
	ports     []string // PortHeader of each data stream: the pod port asked for
	closeOnce sync.Once
	closed    chan bool
}

func (c *fakeConn) CreateStream(h http.Header) (httpstream.Stream, error) {
	if h.Get(corev1.StreamType) == corev1.StreamTypeError {
		return &errorStream{h: h}, nil
	}
	c.mu.Lock()
	c.ports = append(c.ports, h.Get(corev1.PortHeader))
	c.mu.Unlock()
	nc, err := net.Dial("tcp", c.target)
	if err != nil {
		return nil, err
	}
	return &dataStream{TCPConn: nc.(*net.TCPConn), h: h}, nil
}

func (c *fakeConn) requestedPorts() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.ports...)
}

func (c *fakeConn) Close() error {
	c.closeOnce.Do(func() { close(c.closed) })
	return nil
}
func (c *fakeConn) CloseChan() <-chan bool             { return c.closed }
func (c *fakeConn) SetIdleTimeout(time.Duration)       {}
func (c *fakeConn) RemoveStreams(...httpstream.Stream) {}

// errorStream is the per-connection error channel: the fake "pod" never reports errors.
type errorStream struct{ h http.Header }

func (s *errorStream) Read([]byte) (int, error)    { return 0, io.EOF }
func (s *errorStream) Write(p []byte) (int, error) { return len(p), nil }
func (s *errorStream) Close() error                { return nil }
func (s *errorStream) Reset() error                { return nil }
func (s *errorStream) Headers() http.Header        { return s.h }
func (s *errorStream) Identifier() uint32          { return 1 }

type dataStream struct {
	*net.TCPConn
	h http.Header
}

func (s *dataStream) Close() error         { return s.CloseWrite() }
func (s *dataStream) Reset() error         { return s.TCPConn.Close() }
func (s *dataStream) Headers() http.Header { return s.h }
func (s *dataStream) Identifier() uint32   { return 2 }

// Fixtures.

func service(ns, name string, selector map[string]string, ports ...corev1.ServicePort) *corev1.Service {
	return &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec:       corev1.ServiceSpec{Selector: selector, Ports: ports},
	}
}

func svcPort(port int32, target intstr.IntOrString) corev1.ServicePort {
	return corev1.ServicePort{Port: port, TargetPort: target}
}

func pod(ns, name string, lbls map[string]string, phase corev1.PodPhase, ready bool, ports ...corev1.ContainerPort) *corev1.Pod {
	status := corev1.ConditionFalse
	if ready {
		status = corev1.ConditionTrue
	}
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: lbls},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Ports: ports}}},
		Status: corev1.PodStatus{
			Phase:      phase,
			Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: status}},
		},
	}
}
