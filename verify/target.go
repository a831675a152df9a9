package verify

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/kubernetes"
)

// Target says where http and split checks send their requests: through the
// ingress (App), to a URL, through a port-forward, or from inside the
// cluster (From: curl run in a pod, URL is then the in-cluster URL).
type Target struct {
	App         string         `json:"app,omitempty"`
	URL         string         `json:"url,omitempty"`
	PortForward *ForwardTarget `json:"portForward,omitempty"`
	From        *PodRef        `json:"from,omitempty"`
	// Path is appended to the URL (url, portForward); for an app it replaces
	// the app's path (default: the app's path, else "/").
	Path string `json:"path,omitempty"`
	// Host overrides the Host header (default: the app's ingress host).
	Host    string            `json:"host,omitempty"`
	Method  string            `json:"method,omitempty"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    string            `json:"body,omitempty"`
	// RequestTimeout bounds one request (default 10s).
	RequestTimeout Duration `json:"requestTimeout,omitempty"`
}

// ForwardTarget is a Service port reached through a port-forward (to one of
// the Service's Ready pods).
type ForwardTarget struct {
	Namespace string `json:"namespace"`
	Service   string `json:"service"`
	Port      int    `json:"port"`
}

// PodRef picks a pod by name or by label selector (the first Ready pod).
type PodRef struct {
	Namespace string `json:"namespace"`
	Pod       string `json:"pod,omitempty"`
	Selector  string `json:"selector,omitempty"`
	Container string `json:"container,omitempty"`
}

// defaultRequestTimeout bounds one request of an http or split check.
const defaultRequestTimeout = 10 * time.Second

// maxBody is how much of a response body checks read.
const maxBody = 4 << 20

func (t *Target) validate() error {
	n := 0
	for _, set := range []bool{t.App != "", t.PortForward != nil, t.From != nil, t.URL != "" && t.From == nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		return errors.New("set exactly one target: app (through the ingress), url, portForward, or from (with url, from inside the cluster)")
	}
	if t.URL != "" {
		u, err := url.Parse(t.URL)
		if err != nil || u.Scheme == "" || u.Host == "" {
			return fmt.Errorf("url %q must be absolute, like http://productpage.bookinfo:9080/productpage", t.URL)
		}
		if err := checkScheme(t.URL); err != nil {
			return err
		}
	}
	if t.From != nil {
		if t.URL == "" {
			return errors.New("from needs url: the in-cluster URL to request")
		}
		if err := t.From.validate(); err != nil {
			return fmt.Errorf("from: %w", err)
		}
	}
	if f := t.PortForward; f != nil && (f.Namespace == "" || f.Port <= 0 || f.Service == "") {
		return errors.New("portForward needs namespace, service and port")
	}
	if t.Path != "" && !strings.HasPrefix(t.Path, "/") {
		return fmt.Errorf("path %q must start with /", t.Path)
	}
	return nil
}

func (r *PodRef) validate() error {
	if r.Namespace == "" || (r.Pod == "") == (r.Selector == "") {
		return errors.New("needs namespace and exactly one of pod or selector")
	}
	if _, err := labels.Parse(r.Selector); err != nil {
		return fmt.Errorf("selector %q: %w", r.Selector, err)
	}
	return nil
}

func (r *PodRef) String() string {
	if r.Pod != "" {
		return "pod " + r.Namespace + "/" + r.Pod
	}
	return fmt.Sprintf("a Ready pod with labels %s in namespace %s", r.Selector, r.Namespace)
}

// resolvePod returns the named pod, or the first Ready running pod (by name)
// matching the selector.
func resolvePod(ctx context.Context, kube kubernetes.Interface, r *PodRef) (string, error) {
	if r.Pod != "" {
		return r.Pod, nil
	}
	list, err := kube.CoreV1().Pods(r.Namespace).List(ctx, metav1.ListOptions{LabelSelector: r.Selector})
	if err != nil {
		return "", fmt.Errorf("listing pods for %s: %w", r, err)
	}
	sort.Slice(list.Items, func(i, j int) bool { return list.Items[i].Name < list.Items[j].Name })
	for _, p := range list.Items {
		if p.DeletionTimestamp == nil && p.Status.Phase == corev1.PodRunning && podReady(&p) {
			return p.Name, nil
		}
	}
	return "", fmt.Errorf("no Ready pod found for %s (%d pod(s) match)", r, len(list.Items))
}

// response is one observed HTTP exchange; err is a transport failure.
type response struct {
	status  int
	header  http.Header
	body    []byte
	latency time.Duration
	err     error
}

// sender sends the target's request once per call; it is safe for
// concurrent use and closes any port-forward it opened.
type sender struct {
	t    *Target
	env  *Env
	mu   sync.Mutex
	base string
	host string
	path string
	stop func()
}

func newSender(t *Target, env *Env) (*sender, error) {
	s := &sender{t: t, env: env, host: t.Host, path: t.Path}
	switch {
	case t.From != nil:
		if env.Kube == nil || env.Exec == nil {
			return nil, errMissing("exec into pods", "point labctl at a real cluster to run requests from inside it")
		}
	case t.App != "":
		target, err := env.appTarget(t.App, t.Path)
		if err != nil {
			return nil, err
		}
		s.base, s.path = target.URL, ""
		if s.host == "" {
			s.host = target.Host
		}
	case t.PortForward != nil:
		if env.PortForward == nil {
			return nil, errMissing("port-forwarding", "use an app, url or from target, or run labctl with access to a cluster")
		}
	default:
		s.base = t.URL
	}
	if s.base != "" {
		if err := checkScheme(s.base); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// baseURL returns the URL to request, opening the port-forward on first use.
func (s *sender) url(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.base == "" && s.t.PortForward != nil {
		f := s.t.PortForward
		base, stop, err := s.env.PortForward(ctx, f.Namespace, f.Service, f.Port)
		if err != nil {
			return "", fmt.Errorf("port-forward to service %s/%s port %d: %w", f.Namespace, f.Service, f.Port, err)
		}
		s.base, s.stop = strings.TrimRight(base, "/"), stop
	}
	return s.base + s.path, nil
}

func (s *sender) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stop != nil {
		s.stop()
		s.stop, s.base = nil, ""
	}
}

func (s *sender) timeout() time.Duration {
	if s.t.RequestTimeout.Duration > 0 {
		return s.t.RequestTimeout.Duration
	}
	return defaultRequestTimeout
}

// describe names the target for messages.
func (s *sender) describe() string {
	t := s.t
	switch {
	case t.From != nil:
		return t.URL + " from " + t.From.String()
	case t.App != "":
		d := "app " + t.App + " through " + s.base + s.path
		if s.host != "" {
			d += " (Host: " + s.host + ")"
		}
		return d
	case t.PortForward != nil:
		return fmt.Sprintf("port-forward to service %s/%s port %d%s", t.PortForward.Namespace, t.PortForward.Service, t.PortForward.Port, t.Path)
	}
	return t.URL
}

func (s *sender) send(ctx context.Context) response {
	ctx, cancel := context.WithTimeout(ctx, s.timeout())
	defer cancel()
	if s.t.From != nil {
		return s.sendFromPod(ctx)
	}
	u, err := s.url(ctx)
	if err != nil {
		return response{err: err}
	}
	method := s.t.Method
	if method == "" {
		method = http.MethodGet
	}
	var body io.Reader
	if s.t.Body != "" {
		body = strings.NewReader(s.t.Body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return response{err: fmt.Errorf("building request %s %s: %w", method, u, err)}
	}
	for k, v := range s.t.Headers {
		req.Header.Set(k, v)
	}
	if s.host != "" {
		req.Host = s.host
	}
	start := time.Now()
	resp, err := s.env.httpClient().Do(req)
	if err != nil {
		return response{err: err, latency: time.Since(start)}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	r := response{status: resp.StatusCode, header: resp.Header, body: b, latency: time.Since(start)}
	if err != nil {
		r.err = fmt.Errorf("reading the response body: %w", err)
	}
	return r
}
