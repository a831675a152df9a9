package verify

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// TraceSpec wants traces of a service in Jaeger or Zipkin.
type TraceSpec struct {
	// Backend is jaeger (default) or zipkin.
	Backend string `json:"backend,omitempty"`
	// Service is the service name as the tracer reports it; Istio reports
	// "<app>.<namespace>", e.g. productpage.bookinfo.
	Service string `json:"service"`
	// MinTraces wanted (default 1) within Lookback (default 5m).
	MinTraces int      `json:"minTraces,omitempty"`
	Lookback  Duration `json:"lookback,omitempty"`
	// Operation, when set, must be the name of at least one span of the service.
	Operation string `json:"operation,omitempty"`
}

// Trace backends.
const (
	BackendJaeger = "jaeger"
	BackendZipkin = "zipkin"
)

const defaultLookback = 5 * time.Minute

func (t *TraceSpec) validate() error {
	switch t.Backend {
	case "", BackendJaeger, BackendZipkin:
	default:
		return fmt.Errorf("backend %q: use jaeger or zipkin", t.Backend)
	}
	if t.Service == "" {
		return errors.New("service is required")
	}
	if t.MinTraces < 0 {
		return errors.New("minTraces must be positive")
	}
	return nil
}

type traceProber struct {
	spec *TraceSpec
	env  *Env
	ep   Endpoint
}

func newTraceProber(t *TraceSpec, env *Env) (prober, error) {
	p := traceProber{spec: t, env: env, ep: env.Jaeger}
	if t.Backend == BackendZipkin {
		p.ep = env.Zipkin
		if p.ep == nil {
			return nil, errMissing("Zipkin", "pass --zipkin-url (e.g. the URL `labctl open zipkin` prints: a port-forward to zipkin.istio-system:9411)")
		}
	} else if p.ep == nil {
		return nil, errMissing("Jaeger", "pass --jaeger-url (e.g. the URL `labctl open jaeger` prints: a port-forward to jaeger.istio-system:16686)")
	}
	return p, nil
}

// span is the part of a Jaeger or Zipkin span the check reads.
type span struct{ service, operation string }

func (p traceProber) probe(ctx context.Context) (attempt, error) {
	ctx, cancel := context.WithTimeout(ctx, apiTimeout)
	defer cancel()
	base, err := p.ep(ctx)
	if err != nil {
		return attempt{}, fmt.Errorf("reaching %s: %w", p.backend(), err)
	}
	lookback := p.spec.Lookback.Duration
	if lookback == 0 {
		lookback = defaultLookback
	}
	want := max(p.spec.MinTraces, 1)
	limit := strconv.Itoa(max(want, 20))
	var traces [][]span
	if p.backend() == BackendZipkin {
		traces, err = zipkinTraces(ctx, p.env, base, p.spec.Service, lookback, limit)
	} else {
		traces, err = jaegerTraces(ctx, p.env, base, p.spec.Service, lookback, limit)
	}
	if err != nil {
		return attempt{}, err
	}
	a := attempt{expected: fmt.Sprintf("≥ %d trace(s) of %s in the last %s", want, p.spec.Service, lookback)}
	if p.spec.Operation != "" {
		a.expected += fmt.Sprintf(" with operation %q", p.spec.Operation)
	}
	n := 0
	ops := map[string]int{}
	for _, tr := range traces {
		ok := p.spec.Operation == ""
		for _, s := range tr {
			if s.service == p.spec.Service {
				ops[s.operation]++
				ok = ok || s.operation == p.spec.Operation
			}
		}
		if ok {
			n++
		}
	}
	a.observed = fmt.Sprintf("%d trace(s)", n)
	if len(ops) > 0 {
		a.observed += "; operations: " + strings.Join(firstN(sortedKeys(ops), 5), ", ")
	}
	if n < want {
		a.message = fmt.Sprintf("%s has %d matching trace(s) of %s in the last %s: is traffic flowing, is tracing enabled in the mesh (sampling rate), and is the service name right (Istio uses <app>.<namespace>)?",
			p.backend(), n, p.spec.Service, lookback)
		return a, nil
	}
	a.pass = true
	return a, nil
}

func (p traceProber) backend() string { return firstNonEmpty(p.spec.Backend, BackendJaeger) }

// jaegerTraces reads GET /api/traces (Jaeger's query API, kept in v2):
// {"data": [{"traceID", "spans": [{"operationName", "processID"}],
// "processes": {"p1": {"serviceName"}}}], "errors": [...]}.
func jaegerTraces(ctx context.Context, env *Env, base, service string, lookback time.Duration, limit string) ([][]span, error) {
	now := time.Now()
	q := url.Values{
		"service": {service}, "limit": {limit}, "lookback": {lookback.String()},
		"start": {strconv.FormatInt(now.Add(-lookback).UnixMicro(), 10)}, "end": {strconv.FormatInt(now.UnixMicro(), 10)},
	}
	var doc struct {
		Data []struct {
			Spans []struct {
				OperationName string `json:"operationName"`
				ProcessID     string `json:"processID"`
			} `json:"spans"`
			Processes map[string]struct {
				ServiceName string `json:"serviceName"`
			} `json:"processes"`
		} `json:"data"`
		Errors []struct {
			Code int    `json:"code"`
			Msg  string `json:"msg"`
		} `json:"errors"`
	}
	if err := getJSON(ctx, env.httpClient(), base, "/api/traces", q, &doc); err != nil {
		return nil, fmt.Errorf("querying Jaeger traces of %s: %w", service, err)
	}
	if len(doc.Errors) > 0 {
		return nil, fmt.Errorf("Jaeger reported an error for service %s: %s (code %d)", service, doc.Errors[0].Msg, doc.Errors[0].Code)
	}
	out := make([][]span, 0, len(doc.Data))
	for _, t := range doc.Data {
		spans := make([]span, 0, len(t.Spans))
		for _, s := range t.Spans {
			spans = append(spans, span{service: t.Processes[s.ProcessID].ServiceName, operation: s.OperationName})
		}
		out = append(out, spans)
	}
	return out, nil
}

// zipkinTraces reads GET /api/v2/traces: a list of traces, each a list of
// spans {"traceId", "name", "localEndpoint": {"serviceName"}}.
func zipkinTraces(ctx context.Context, env *Env, base, service string, lookback time.Duration, limit string) ([][]span, error) {
	q := url.Values{
		"serviceName": {service}, "limit": {limit},
		"lookback": {strconv.FormatInt(lookback.Milliseconds(), 10)},
		"endTs":    {strconv.FormatInt(time.Now().UnixMilli(), 10)},
	}
	var doc [][]struct {
		Name          string `json:"name"`
		LocalEndpoint struct {
			ServiceName string `json:"serviceName"`
		} `json:"localEndpoint"`
	}
	if err := getJSON(ctx, env.httpClient(), base, "/api/v2/traces", q, &doc); err != nil {
		return nil, fmt.Errorf("querying Zipkin traces of %s: %w", service, err)
	}
	out := make([][]span, 0, len(doc))
	for _, t := range doc {
		spans := make([]span, 0, len(t))
		for _, s := range t {
			spans = append(spans, span{service: s.LocalEndpoint.ServiceName, operation: s.Name})
		}
		out = append(out, spans)
	}
	return out, nil
}
