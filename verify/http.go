package verify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// HTTPSpec sends Requests requests to a target and wants at least MinSuccess
// of them to meet Expect, and the latency percentile within its bound.
type HTTPSpec struct {
	Target
	// Requests per attempt (default 1); Concurrency in flight (default
	// min(Requests, 8)).
	Requests    int `json:"requests,omitempty"`
	Concurrency int `json:"concurrency,omitempty"`
	// MinSuccess is the share of requests that must meet Expect (default 1).
	MinSuccess *float64   `json:"minSuccess,omitempty"`
	Expect     HTTPExpect `json:"expect,omitempty"`
}

// HTTPExpect is what a good response looks like.
type HTTPExpect struct {
	// Status codes accepted (default [200]).
	Status          []int    `json:"status,omitempty"`
	BodyContains    []string `json:"bodyContains,omitempty"`
	BodyNotContains []string `json:"bodyNotContains,omitempty"`
	BodyRegex       string   `json:"bodyRegex,omitempty"`
	// Headers maps a header name to a regular expression its value must match.
	Headers map[string]string `json:"headers,omitempty"`
	// Latency bounds a percentile of the latencies of all requests.
	Latency *LatencyBound `json:"latency,omitempty"`
	// Failure wants the request itself to fail (connection refused or reset,
	// timeout): e.g. a plain-text client against STRICT mTLS.
	Failure bool `json:"failure,omitempty"`
}

// LatencyBound: the Percentile-th latency must be at most Max (or at least
// Min, e.g. to see an injected delay).
type LatencyBound struct {
	Percentile float64  `json:"percentile"`
	Max        Duration `json:"max,omitempty"`
	Min        Duration `json:"min,omitempty"`
}

// maxHTTPRequests caps requests per attempt of an http check.
const maxHTTPRequests = 10000

func (h *HTTPSpec) validate() error {
	if err := h.Target.validate(); err != nil {
		return err
	}
	if h.Requests < 0 || h.Requests > maxHTTPRequests || h.Concurrency < 0 {
		return fmt.Errorf("requests must be between 1 and %d, concurrency positive", maxHTTPRequests)
	}
	if m := h.MinSuccess; m != nil && (*m <= 0 || *m > 1) {
		return fmt.Errorf("minSuccess %v must be a share in (0, 1]", *m)
	}
	e := h.Expect
	if _, err := regexp.Compile(e.BodyRegex); err != nil {
		return fmt.Errorf("expect.bodyRegex: %w", err)
	}
	for k, v := range e.Headers {
		if _, err := regexp.Compile(v); err != nil {
			return fmt.Errorf("expect.headers[%s]: %w", k, err)
		}
	}
	if l := e.Latency; l != nil {
		if l.Percentile <= 0 || l.Percentile > 100 || (l.Max.Duration <= 0 && l.Min.Duration <= 0) {
			return errors.New("expect.latency needs a percentile in (0, 100] and max or min")
		}
	}
	if e.Failure && (len(e.Status) > 0 || len(e.BodyContains) > 0 || e.BodyRegex != "" || len(e.Headers) > 0) {
		return errors.New("expect.failure excludes status, body and header expectations")
	}
	return nil
}

type httpProber struct {
	spec *HTTPSpec
	s    *sender
	re   *regexp.Regexp
	hdr  map[string]*regexp.Regexp
}

func newHTTPProber(h *HTTPSpec, env *Env) (prober, error) {
	s, err := newSender(&h.Target, env)
	if err != nil {
		return nil, err
	}
	p := &httpProber{spec: h, s: s, hdr: map[string]*regexp.Regexp{}}
	if h.Expect.BodyRegex != "" {
		p.re = regexp.MustCompile(h.Expect.BodyRegex)
	}
	for k, v := range h.Expect.Headers {
		p.hdr[k] = regexp.MustCompile(v)
	}
	return p, nil
}

func (p *httpProber) close() { p.s.close() }

func (p *httpProber) requests() int { return max(p.spec.Requests, 1) }

func (p *httpProber) minSuccess() float64 {
	if p.spec.MinSuccess != nil {
		return *p.spec.MinSuccess
	}
	return 1
}

func (p *httpProber) statuses() []int {
	if len(p.spec.Expect.Status) > 0 {
		return p.spec.Expect.Status
	}
	return []int{200}
}

func (p *httpProber) expected() string {
	e := p.spec.Expect
	var parts []string
	if e.Failure {
		parts = append(parts, "request fails")
	} else {
		parts = append(parts, "status "+joinInts(p.statuses()))
	}
	for _, c := range e.BodyContains {
		parts = append(parts, fmt.Sprintf("body contains %q", c))
	}
	for _, c := range e.BodyNotContains {
		parts = append(parts, fmt.Sprintf("body lacks %q", c))
	}
	if e.BodyRegex != "" {
		parts = append(parts, fmt.Sprintf("body matches /%s/", e.BodyRegex))
	}
	for _, k := range sortedKeys(e.Headers) {
		parts = append(parts, fmt.Sprintf("header %s matches /%s/", k, e.Headers[k]))
	}
	out := strings.Join(parts, ", ")
	if n := p.requests(); n > 1 && p.minSuccess() == 1 {
		out = fmt.Sprintf("%s for all %d requests", out, n)
	} else if n > 1 {
		out = fmt.Sprintf("%s for ≥ %s of %d requests", out, pct(p.minSuccess()), n)
	}
	if l := e.Latency; l != nil {
		if l.Max.Duration > 0 {
			out += fmt.Sprintf("; p%g latency ≤ %s", l.Percentile, l.Max)
		}
		if l.Min.Duration > 0 {
			out += fmt.Sprintf("; p%g latency ≥ %s", l.Percentile, l.Min)
		}
	}
	return out
}

// judge returns "" for a good response, else why it is not.
func (p *httpProber) judge(r response) string {
	e := p.spec.Expect
	if e.Failure {
		if r.err != nil {
			return ""
		}
		return fmt.Sprintf("request succeeded with status %d", r.status)
	}
	if r.err != nil {
		return "request failed: " + r.err.Error()
	}
	if !slices.Contains(p.statuses(), r.status) {
		return fmt.Sprintf("status %d", r.status)
	}
	for _, c := range e.BodyContains {
		if !bytes.Contains(r.body, []byte(c)) {
			return fmt.Sprintf("body does not contain %q", c)
		}
	}
	for _, c := range e.BodyNotContains {
		if bytes.Contains(r.body, []byte(c)) {
			return fmt.Sprintf("body contains %q", c)
		}
	}
	if p.re != nil && !p.re.Match(r.body) {
		return fmt.Sprintf("body does not match /%s/", p.re)
	}
	for _, k := range sortedKeys(p.hdr) {
		if v := r.header.Get(k); !p.hdr[k].MatchString(v) {
			return fmt.Sprintf("header %s is %q, want /%s/", k, v, p.hdr[k])
		}
	}
	return ""
}

func (p *httpProber) probe(ctx context.Context) (attempt, error) {
	n := p.requests()
	conc := p.spec.Concurrency
	if conc == 0 {
		conc = min(n, 8)
	}
	resps := sendMany(ctx, p.s, n, conc)
	if ctx.Err() != nil {
		return attempt{}, ctx.Err()
	}
	if err := deadlineOnly(ctx, resps); err != nil {
		// No request was sent: the previous observation stands.
		return attempt{}, err
	}
	a := attempt{expected: p.expected()}
	good := 0
	codes := map[string]int{}
	var reasons []string
	var lat []time.Duration
	for _, r := range resps {
		lat = append(lat, r.latency)
		if r.err != nil {
			codes["error"]++
		} else {
			codes[strconv.Itoa(r.status)]++
		}
		if why := p.judge(r); why == "" {
			good++
		} else if !slices.Contains(reasons, why) {
			reasons = append(reasons, why)
		}
	}
	a.observed = fmt.Sprintf("%d/%d good; %s", good, n, formatCounts(codes))
	var problems []string
	if share := float64(good) / float64(n); share < p.minSuccess() || good == 0 {
		problems = append(problems, fmt.Sprintf("%d of %d request(s) to %s were not as expected: %s",
			n-good, n, p.s.describe(), strings.Join(firstN(reasons, 3), "; ")))
	}
	if l := p.spec.Expect.Latency; l != nil {
		q := percentile(lat, l.Percentile)
		a.observed += fmt.Sprintf("; p%g %s", l.Percentile, q.Round(time.Millisecond))
		if l.Max.Duration > 0 && q > l.Max.Duration {
			problems = append(problems, fmt.Sprintf("p%g latency %s is above %s", l.Percentile, q.Round(time.Millisecond), l.Max))
		}
		if l.Min.Duration > 0 && q < l.Min.Duration {
			problems = append(problems, fmt.Sprintf("p%g latency %s is below %s", l.Percentile, q.Round(time.Millisecond), l.Min))
		}
	}
	if len(problems) > 0 {
		a.message = strings.Join(problems, "; ")
		return a, nil
	}
	a.pass = true
	return a, nil
}

// sendMany sends n requests with conc in flight and returns the responses
// in completion order. It stops early when ctx ends.
func sendMany(ctx context.Context, s *sender, n, conc int) []response {
	var mu sync.Mutex
	out := make([]response, 0, n)
	jobs := make(chan struct{})
	var wg sync.WaitGroup
	for range max(1, min(conc, n)) {
		wg.Go(func() {
			for range jobs {
				r := s.send(ctx)
				mu.Lock()
				out = append(out, r)
				mu.Unlock()
			}
		})
	}
	for range n {
		select {
		case jobs <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(jobs)
	wg.Wait()
	return out
}

// percentile is the nearest-rank q-th percentile.
func percentile(d []time.Duration, q float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	rank := int(math.Ceil(q / 100 * float64(len(s))))
	return s[min(max(rank, 1), len(s))-1]
}

func formatCounts(m map[string]int) string {
	keys := sortedKeys(m)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s×%d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, "|")
}

func pct(f float64) string { return strconv.FormatFloat(f*100, 'f', -1, 64) + "%" }

// deadlineOnly returns the error of the responses when every one of them
// was refused by client-go's rate limiter because waiting would pass the
// check's deadline: nothing was sent, so nothing was observed. Requests that
// timed out on the wire are observations (a lab's timeout step expects
// them) and do not count.
func deadlineOnly(ctx context.Context, resps []response) error {
	if _, ok := ctx.Deadline(); !ok || len(resps) == 0 {
		return nil
	}
	for _, r := range resps {
		if r.err == nil || !strings.Contains(r.err.Error(), "would exceed context deadline") {
			return nil
		}
	}
	return resps[0].err
}
