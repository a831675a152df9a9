package engine

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/labctl/labctl/internal/appurl"
	"github.com/labctl/labctl/internal/redact"
	"github.com/labctl/labctl/internal/state"
	"github.com/labctl/labctl/labs"
	"github.com/labctl/labctl/loadgen"
	"github.com/labctl/labctl/loadgen/incluster"
)

// Load modes.
const (
	// LoadIngress sends from this machine through the environment's ingress
	// (or the app's own URL), with the app's Host header.
	LoadIngress = "ingress"
	// LoadInCluster sends from a fortio Job in the app's namespace to the
	// app's Service.
	LoadInCluster = "in-cluster"
)

// LoadRun is one run of the load generator, as a load action asks for it.
type LoadRun struct {
	// Mode is LoadIngress or LoadInCluster.
	Mode string
	// Options describe the traffic; URL and Host are resolved by
	// internal/appurl.
	Options loadgen.Options
	// Namespace and Kube are where the in-cluster Job runs.
	Namespace string
	Kube      kubernetes.Interface
}

// LoadFunc runs one load; Engine.Load nil means RunLoad.
type LoadFunc func(ctx context.Context, r LoadRun) (*loadgen.Result, error)

// RunLoad runs r with labctl's load generator: loadgen.Run from this
// machine, or incluster.Run (a fortio Job) in the cluster.
func RunLoad(ctx context.Context, r LoadRun) (*loadgen.Result, error) {
	if r.Mode == LoadInCluster {
		return incluster.Run(ctx, r.Kube, incluster.Options{Load: r.Options, Namespace: r.Namespace})
	}
	return loadgen.Run(ctx, r.Options)
}

// LoadSummary is what a load action sent and measured.
type LoadSummary struct {
	Mode string `json:"mode"`
	// URL (credentials redacted) and Host header the requests went to.
	URL  string `json:"url"`
	Host string `json:"host,omitempty"`
	// Namespace of the in-cluster Job.
	Namespace string `json:"namespace,omitempty"`
	Requests  int64  `json:"requests"`
	// Codes counts responses by HTTP status; -1 counts requests that got
	// none (timeouts, connection errors).
	Codes map[int]int64 `json:"codes"`
	// RPS is the rate achieved.
	RPS float64 `json:"rps"`
	// P50, P90 and P99 are latencies in milliseconds.
	P50     float64 `json:"p50Ms"`
	P90     float64 `json:"p90Ms"`
	P99     float64 `json:"p99Ms"`
	Seconds float64 `json:"durationSeconds"`
}

// OK counts the 2xx responses.
func (l *LoadSummary) OK() int64 {
	var n int64
	for c, v := range l.Codes {
		if c >= 200 && c < 300 {
			n += v
		}
	}
	return n
}

// CodesText is "200×38 503×2", by status code.
func (l *LoadSummary) CodesText() string {
	codes := make([]int, 0, len(l.Codes))
	for c := range l.Codes {
		codes = append(codes, c)
	}
	sort.Ints(codes)
	parts := make([]string, 0, len(codes))
	for _, c := range codes {
		name := fmt.Sprint(c)
		if c < 0 {
			name = "no-response"
		}
		parts = append(parts, fmt.Sprintf("%s×%d", name, l.Codes[c]))
	}
	return strings.Join(parts, " ")
}

// loadBound is how long a load action may take in all: its run (at most
// labs.MaxLoadDuration), the last requests' timeout and, in the cluster,
// the Job's start-up.
func loadBound(r LoadRun) time.Duration {
	o := r.Options
	run := o.Duration
	if o.Requests > 0 {
		run = labs.MaxLoadDuration
		if o.RPS > 0 {
			run = min(run, time.Duration(float64(o.Requests)/o.RPS*float64(time.Second)))
		}
	}
	bound := min(run, labs.MaxLoadDuration) + o.Timeout
	if r.Mode == LoadInCluster {
		bound += incluster.DefaultStartTimeout
	}
	return bound
}

// loadRun turns a load action into a run: the target app (APP[/PATH]) is
// resolved by internal/appurl, through the ingress or, in the cluster, to
// its Service.
func (s *session) loadRun(ctx context.Context, a *labs.LoadAction) (LoadRun, error) {
	name, path, _ := strings.Cut(a.Target, "/")
	app, err := s.env.PickApp(name)
	if err != nil {
		return LoadRun{}, err
	}
	o := loadgen.Options{RPS: a.RPS, Duration: a.Duration.Duration, Requests: int64(a.Requests), Concurrency: a.Connections,
		Timeout: loadgen.DefaultTimeout, Header: http.Header{}}
	if o.Requests == 0 && o.Duration == 0 {
		o.Duration = labs.DefaultLoadDuration
	}
	if o.Concurrency == 0 {
		o.Concurrency = 1
	}
	for k, v := range a.Headers {
		o.Header.Set(k, v)
	}
	r := LoadRun{Mode: LoadIngress, Options: o}
	if !a.InCluster {
		t, err := s.env.AppTarget(name, path)
		if err != nil {
			if s.env.Simulated && errors.Is(err, appurl.ErrNoURL) {
				return r, nil // nothing is sent: the app exists, that is all a simulated run can check
			}
			return LoadRun{}, err
		}
		r.Options.URL, r.Options.Host = t.URL, t.Host
		return r, nil
	}
	svc, err := s.service(ctx, app)
	if err != nil {
		return LoadRun{}, err
	}
	t, err := appurl.InCluster(svc, app.URLApp(), path)
	if err != nil {
		return LoadRun{}, err
	}
	r.Mode, r.Namespace, r.Kube = LoadInCluster, app.Namespace, s.c.Kube
	r.Options.URL = t.URL
	return r, nil
}

// service is the Service of app: the one named like the app in its
// namespace, on its port named http (else its first port).
func (s *session) service(ctx context.Context, app state.App) (appurl.Service, error) {
	svc, err := s.c.Kube.CoreV1().Services(app.Namespace).Get(ctx, app.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return appurl.Service{}, fmt.Errorf("app %s: no Service %s/%s to send in-cluster load to (is the app installed? labctl status shows it)", app.Name, app.Namespace, app.Name)
	}
	if err != nil {
		return appurl.Service{}, fmt.Errorf("app %s: reading Service %s/%s: %w", app.Name, app.Namespace, app.Name, err)
	}
	if len(svc.Spec.Ports) == 0 {
		return appurl.Service{}, fmt.Errorf("app %s: Service %s/%s has no ports", app.Name, app.Namespace, app.Name)
	}
	port := svc.Spec.Ports[0].Port
	for _, p := range svc.Spec.Ports {
		if p.Name == "http" || strings.HasPrefix(p.Name, "http-") {
			port = p.Port
			break
		}
	}
	return appurl.Service{Name: svc.Name, Namespace: svc.Namespace, Port: port}, nil
}

// load runs a load action. On a simulated cluster the target is resolved
// (so a wrong app fails there too) and the run is skipped: nothing there
// answers requests.
func (s *session) load(ctx context.Context, a *labs.LoadAction) (ActionResult, error) {
	r, err := s.loadRun(ctx, a)
	if err != nil {
		return ActionResult{}, err
	}
	if s.env.Simulated {
		return ActionResult{Status: ActionSkipped, Reason: SkipLoadSimulated}, nil
	}
	run := s.e.Load
	if run == nil {
		run = RunLoad
	}
	bound := loadBound(r)
	cctx, cancel := context.WithTimeout(ctx, bound)
	defer cancel()
	start := time.Now()
	res, err := run(cctx, r)
	if ctx.Err() != nil {
		return ActionResult{}, fmt.Errorf("load %s: %w", redact.URL(r.Options.URL), ctx.Err())
	}
	if errors.Is(cctx.Err(), context.DeadlineExceeded) {
		what := "its run plus the requests' timeout"
		if r.Mode == LoadInCluster {
			what += " and the Job's start-up"
		}
		return ActionResult{}, fmt.Errorf("load %s did not finish within %s (%s): is the app answering?", redact.URL(r.Options.URL), bound, what)
	}
	if err != nil {
		return ActionResult{}, err
	}
	sum := summarize(r, res, time.Since(start))
	if sum.Requests == 0 {
		return ActionResult{}, fmt.Errorf("load %s sent no requests", sum.URL)
	}
	return ActionResult{Status: ActionDone, Load: sum}, nil
}

func summarize(r LoadRun, res *loadgen.Result, took time.Duration) *LoadSummary {
	ms := func(p float64) float64 { return float64(res.Percentile(p).Microseconds()) / 1000 }
	sum := &LoadSummary{Mode: r.Mode, URL: redact.URL(r.Options.URL), Host: r.Options.Host, Namespace: r.Namespace,
		Requests: res.Count(), Codes: map[int]int64{}, RPS: res.ActualQPS, P50: ms(50), P90: ms(90), P99: ms(99), Seconds: took.Seconds()}
	for c, n := range res.RetCodes {
		sum.Codes[c] = n
	}
	return sum
}
