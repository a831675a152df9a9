package loadgen

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labctl/labctl/internal/redact"
	"github.com/labctl/labctl/loadgen/classify"
)

// Defaults applied by Options.normalize.
const (
	DefaultConcurrency = 8
	DefaultTimeout     = 10 * time.Second
	DefaultInterval    = time.Second
	DefaultDuration    = 10 * time.Second
	// DefaultStopGrace is how long a cancelled run waits for requests in
	// flight before reporting without them.
	DefaultStopGrace = 500 * time.Millisecond
)

// Percentiles returns the latency percentiles reported in summaries and
// JSON (a new slice each time: callers may keep or change it).
func Percentiles() []float64 { return []float64{50, 75, 90, 99, 99.9} }

// Options describe one load run.
type Options struct {
	// URL to load; http:// or https://.
	URL string
	// Method defaults to GET, or POST when Body is set.
	Method string
	// Header is sent with every request; "Host" here is the same as Host.
	Header http.Header
	// Host overrides the Host header (e.g. the app's host through an ingress).
	Host string
	// Body is sent with every request.
	Body []byte
	// H2C uses HTTP/2 over cleartext (prior knowledge) instead of HTTP/1.1.
	H2C bool

	// RPS is the target rate in requests per second; 0 means as fast as
	// possible ("max"), each connection sending its next request as soon as
	// the previous one completes. NaN, infinite and negative rates are
	// refused.
	RPS float64
	// Duration of the run when Requests is 0 (then 0 means DefaultDuration).
	// No request is sent after it has passed, even when requests run late;
	// those in flight then get until their Timeout.
	Duration time.Duration
	// Requests, when > 0, sends exactly that many requests.
	Requests int64
	// Concurrency is the number of connections (and requests in flight).
	Concurrency int
	// Timeout per request (connect + send + receive); 0 means
	// DefaultTimeout, negative is refused.
	Timeout time.Duration

	// Classifier, when set, sorts responses into classes; ClassifierName is
	// recorded in the results.
	Classifier     classify.Classifier
	ClassifierName string

	// Interval of the time series and of Progress calls. Defaults to 1s.
	Interval time.Duration
	// Progress, when set, is called once per Interval from one goroutine.
	Progress func(Snapshot)
	// StopGrace bounds the wait for requests in flight after cancellation.
	StopGrace time.Duration
	// Labels are free text recorded in the results (fortio's "Labels").
	Labels string
}

func (o *Options) normalize() error {
	if o.URL == "" {
		return errors.New("no URL to load: give an app name of the environment or an http(s):// URL")
	}
	if !strings.Contains(o.URL, "://") {
		o.URL = "http://" + o.URL
	}
	u, err := url.Parse(o.URL)
	if err != nil {
		return fmt.Errorf("target URL %q: %w", redact.URL(o.URL), err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("target URL %q: scheme %q is not supported; use http:// or https://", redact.URL(o.URL), u.Scheme)
	}
	if u.Host == "" {
		return fmt.Errorf("target URL %q has no host", redact.URL(o.URL))
	}
	if o.H2C && u.Scheme == "https" {
		return fmt.Errorf("--h2c is HTTP/2 over cleartext; %q is https (HTTP/2 over TLS is negotiated without it)", redact.URL(o.URL))
	}
	if err := o.ValidateTraffic(); err != nil {
		return err
	}
	if h := o.Header.Get("Host"); h != "" && o.Host == "" {
		o.Host = h
	}
	if o.Concurrency == 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.Requests > 0 && int64(o.Concurrency) > o.Requests {
		o.Concurrency = int(o.Requests)
	}
	if o.Requests == 0 && o.Duration == 0 {
		o.Duration = DefaultDuration
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Interval <= 0 {
		o.Interval = DefaultInterval
	}
	if o.StopGrace <= 0 {
		o.StopGrace = DefaultStopGrace
	}
	return nil
}

// ValidateTraffic checks everything but the URL: rate, counts, timeout,
// method, Host and headers, so that a bad option is refused before anything
// is sent (Run calls it; callers that send elsewhere, such as in-cluster
// runs, call it themselves).
func (o *Options) ValidateTraffic() error {
	if math.IsNaN(o.RPS) || math.IsInf(o.RPS, 0) || o.RPS < 0 {
		return fmt.Errorf("rate %v requests/s: want a positive finite rate (0 for as fast as possible)", o.RPS)
	}
	if o.Timeout < 0 {
		return fmt.Errorf("request timeout %v is negative: want a positive duration", o.Timeout)
	}
	if err := validMethod(o.method()); err != nil {
		return err
	}
	for _, h := range []string{o.Host, o.Header.Get("Host")} {
		if err := validHost(h); err != nil {
			return err
		}
	}
	for name, values := range o.Header {
		for _, v := range values {
			if err := validHeader(name, v); err != nil {
				return err
			}
		}
	}
	if o.Requests < 0 {
		return fmt.Errorf("request count %d is negative", o.Requests)
	}
	if o.Duration < 0 {
		return fmt.Errorf("duration %v is negative", o.Duration)
	}
	if o.Concurrency < 0 {
		return fmt.Errorf("concurrency %d is negative", o.Concurrency)
	}
	return nil
}

// method returns the HTTP method used.
func (o *Options) method() string {
	if o.Method != "" {
		return strings.ToUpper(o.Method)
	}
	if len(o.Body) > 0 {
		return http.MethodPost
	}
	return http.MethodGet
}

// ParseHeader parses "Name: value" as given to -H.
func ParseHeader(h http.Header, s string) error {
	name, value, ok := strings.Cut(s, ":")
	name = strings.TrimSpace(name)
	if !ok || name == "" || !isToken(name) {
		return fmt.Errorf("header %q: want \"Name: value\" with a name of letters, digits and -", s)
	}
	value = strings.TrimSpace(value)
	if err := validHeader(name, value); err != nil {
		return err
	}
	h.Add(name, value)
	return nil
}

// isToken reports whether s is an RFC 9110 token (methods, header names).
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0 {
			continue
		}
		return false
	}
	return true
}

func validMethod(m string) error {
	if !isToken(m) {
		return fmt.Errorf("HTTP method %q: want a single word such as GET or POST (no spaces or control characters)", m)
	}
	return nil
}

// validHost refuses a Host header that would change the request on the
// wire: whitespace, control characters, or characters no host has.
func validHost(h string) error {
	for i := 0; i < len(h); i++ {
		c := h[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~:[]%!$&'()*+,;=", c) >= 0 {
			continue
		}
		return fmt.Errorf("host header %q: character %q is not allowed in a host name (want host or host:port)", h, c)
	}
	return nil
}

// validHeader refuses names that are not tokens and values with CR, LF or
// other control characters (which would split the request).
func validHeader(name, value string) error {
	if !isToken(name) {
		return fmt.Errorf("header name %q: want letters, digits and - only", name)
	}
	for i := 0; i < len(value); i++ {
		if c := value[i]; c < ' ' && c != '\t' || c == 0x7f {
			return fmt.Errorf("header %s: value %q contains control character %q (CR/LF would split the request)", name, value, c)
		}
	}
	return nil
}

// lateAfter is how far behind its intended time a request may be sent
// before it counts as late: one interval between requests, at least 1ms.
func (o *Options) lateAfter() time.Duration {
	if o.RPS <= 0 {
		return 0
	}
	return max(time.Millisecond, time.Duration(float64(time.Second)/o.RPS))
}
