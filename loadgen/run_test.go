package loadgen

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/labctl/labctl/loadgen/classify"
)

func server(t *testing.T, h http.HandlerFunc) string {
	t.Helper()
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s.URL
}

func ok(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) }

// The schedule's shape; how closely the rate and send times are met is a
// speed goal measured by BenchmarkFixedRate and make bench-loadgen.
func TestFixedRateRuns(t *testing.T) {
	url := server(t, ok)
	tests := []struct {
		name    string
		opts    Options
		planned int64
		exact   bool
	}{
		{"duration", Options{RPS: 200, Duration: 2 * time.Second, Concurrency: 4}, 400, false},
		{"requests", Options{RPS: 100, Requests: 150, Concurrency: 2}, 150, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.URL = url
			r, err := Run(context.Background(), tt.opts)
			require.NoError(t, err)
			if tt.exact {
				assert.Equal(t, tt.planned, r.Count())
			} else {
				assert.Positive(t, r.Count())
				assert.LessOrEqual(t, r.Count(), tt.planned, "no request beyond the schedule")
				assert.GreaterOrEqual(t, r.ActualDuration, tt.opts.Duration, "a run lasts its duration")
			}
			assert.Equal(t, map[int]int64{200: r.Count()}, r.RetCodes)
			require.NotNil(t, r.Labctl.SendLateness, "send lateness is recorded at a fixed rate")
			assert.Equal(t, r.Count(), r.Labctl.SendLateness.Count)
			assert.NotEmpty(t, r.Labctl.Series)
		})
	}
}

func TestMaxRateExactly(t *testing.T) {
	url := server(t, ok)
	r, err := Run(context.Background(), Options{URL: url, Requests: 500, Concurrency: 4})
	require.NoError(t, err)
	assert.EqualValues(t, 500, r.Count())
	assert.Equal(t, "max", r.RequestedQPS)
	assert.EqualValues(t, 4, r.SocketCount, "one keep-alive connection per worker")
}

func TestStatusCodesAnd5xx(t *testing.T) {
	var n atomic.Int64
	url := server(t, func(w http.ResponseWriter, r *http.Request) {
		switch n.Add(1) % 4 {
		case 0:
			http.Error(w, "boom", http.StatusInternalServerError)
		case 1:
			http.Error(w, "busy", http.StatusServiceUnavailable)
		default:
			ok(w, r)
		}
	})
	r, err := Run(context.Background(), Options{URL: url, Requests: 400, Concurrency: 2})
	require.NoError(t, err)
	assert.Equal(t, map[int]int64{200: 200, 500: 100, 503: 100}, r.RetCodes)
	assert.EqualValues(t, 200, r.ErrorsDurationHistogram.Count)
	assert.Zero(t, r.Labctl.SocketErrors)
}

func TestClassifier(t *testing.T) {
	var n atomic.Int64
	url := server(t, func(w http.ResponseWriter, _ *http.Request) {
		i := n.Add(1)
		w.Header().Set("X-Version", fmt.Sprintf("v%d", 1+i%2))
		color := map[int64]string{0: "", 1: "black", 2: "red"}[i%3]
		body := `<h4>Book Reviews</h4>`
		if color != "" {
			body += `<div class="flex gap-x-1 text-` + color + `-500"></div>`
		}
		_, _ = w.Write([]byte(body))
	})
	tests := []struct {
		name string
		h2c  bool
		cls  string
		want map[string]int64
	}{
		{"body", false, classify.BookinfoReviews, map[string]int64{"v1": 100, "v2": 100, "v3": 100}},
		{"header", false, classify.TravelsVersion, map[string]int64{"v1": 150, "v2": 150}},
		{"header h2c", true, classify.TravelsVersion, map[string]int64{"v1": 150, "v2": 150}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := classify.Builtin(tt.cls)
			u := url
			if tt.h2c {
				u = h2cServer(t, func(w http.ResponseWriter, _ *http.Request) {
					w.Header().Set("X-Version", fmt.Sprintf("v%d", 1+n.Add(1)%2))
				})
			}
			r, err := Run(context.Background(), Options{URL: u, Requests: 300, Concurrency: 3, Classifier: c, ClassifierName: tt.cls, H2C: tt.h2c})
			require.NoError(t, err)
			assert.Equal(t, tt.want, r.Labctl.Classes)
			assert.InDelta(t, 0.5, r.Share("v2"), 0.34)
		})
	}
}

func h2cServer(t *testing.T, h http.HandlerFunc) string {
	t.Helper()
	s := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ProtoMajor != 2 {
			http.Error(w, "want h2c", http.StatusHTTPVersionNotSupported)
			return
		}
		h(w, r)
	}))
	s.Config.Protocols = new(http.Protocols)
	s.Config.Protocols.SetUnencryptedHTTP2(true)
	s.Start()
	t.Cleanup(s.Close)
	return s.URL
}

func TestHeadersHostMethodBody(t *testing.T) {
	var mu sync.Mutex
	var got *http.Request
	var gotBody string
	url := server(t, func(w http.ResponseWriter, r *http.Request) {
		b := make([]byte, 64)
		n, _ := r.Body.Read(b)
		mu.Lock()
		got, gotBody = r, string(b[:n])
		mu.Unlock()
	})
	h := http.Header{}
	require.NoError(t, ParseHeader(h, "end-user: jason"))
	_, err := Run(context.Background(), Options{
		URL: url, Requests: 1, Header: h, Host: "bookinfo.example", Method: "put", Body: []byte(`{"a":1}`),
	})
	require.NoError(t, err)
	mu.Lock()
	defer mu.Unlock()
	require.NotNil(t, got)
	assert.Equal(t, "bookinfo.example", got.Host)
	assert.Equal(t, "jason", got.Header.Get("End-User"))
	assert.Equal(t, http.MethodPut, got.Method)
	assert.Equal(t, `{"a":1}`, gotBody)
	assert.Equal(t, userAgent, got.Header.Get("User-Agent"))
}

func TestTimeouts(t *testing.T) {
	url := server(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(2 * time.Second):
		}
	})
	r, err := Run(context.Background(), Options{URL: url, Requests: 4, Concurrency: 2, Timeout: 200 * time.Millisecond})
	require.NoError(t, err)
	assert.Equal(t, map[int]int64{-1: 4}, r.RetCodes)
	assert.EqualValues(t, 4, r.Labctl.Timeouts)
	assert.Contains(t, strings.Join(r.Labctl.Warnings, "\n"), "timed out after 200ms")
}

func TestConnectionRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err = Run(ctx, Options{URL: "http://" + addr + "/", RPS: 10, Duration: time.Minute})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "connection refused")
	assert.Contains(t, err.Error(), addr)
	assert.NoError(t, ctx.Err(), "the run failed by itself, not by the test's deadline")
}

func TestServerGoesAway(t *testing.T) {
	s := httptest.NewServer(http.HandlerFunc(ok))
	var once sync.Once
	r, err := Run(context.Background(), Options{URL: s.URL, RPS: 100, Duration: time.Second, Concurrency: 2, Interval: 200 * time.Millisecond,
		Progress: func(Snapshot) { once.Do(s.Close) }})
	require.NoError(t, err)
	assert.Positive(t, r.RetCodes[200])
	assert.Positive(t, r.RetCodes[-1])
	assert.Contains(t, r.Labctl.FirstError, "connection refused")
	assert.False(t, r.Labctl.Interrupted)
}

func TestInterruptGivesPartialReport(t *testing.T) {
	url := server(t, ok)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(500*time.Millisecond, cancel)
	r, err := Run(ctx, Options{URL: url, RPS: 100, Duration: time.Minute, Concurrency: 2})
	require.NoError(t, err)
	assert.True(t, r.Labctl.Interrupted)
	assert.Positive(t, r.Count())
	assert.Less(t, r.Count(), int64(100*60), "stopped before the end of its minute")
	assert.Contains(t, r.Labctl.Warnings[0], "interrupted after")
}

func TestCoordinatedOmission(t *testing.T) {
	// One connection, 50 ms per request, asked for 40 req/s: the server can
	// only do 20/s, so requests queue and latency must include the wait.
	url := server(t, func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(50 * time.Millisecond)
	})
	r, err := Run(context.Background(), Options{URL: url, RPS: 40, Requests: 20, Concurrency: 1})
	require.NoError(t, err)
	svcP99 := time.Duration(r.Labctl.ServiceTime.CalcPercentile(99) * 1e9)
	// Relative, so that a slow machine does not change the verdict: the
	// queue (20 requests planned over 0.5 s, served one at a time over 1 s)
	// makes latency from the intended time many service times long.
	assert.Greater(t, r.Percentile(99), 4*svcP99, "latency from intended send time grows with the queue")
	assert.Greater(t, r.Percentile(99), 400*time.Millisecond, "at least the queue's length")
	require.NotEmpty(t, r.Labctl.Warnings)
	assert.Contains(t, r.Labctl.Warnings[0], "NOT reached")
	assert.Contains(t, r.Labctl.Warnings[0], "--concurrency")
}

func TestProgress(t *testing.T) {
	url := server(t, ok)
	var snaps []Snapshot
	_, err := Run(context.Background(), Options{URL: url, RPS: 50, Duration: 1 * time.Second, Interval: 200 * time.Millisecond,
		Progress: func(s Snapshot) { snaps = append(snaps, s) }})
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(snaps), 3)
	last := snaps[len(snaps)-1]
	assert.Positive(t, last.Requests)
	assert.EqualValues(t, 50, last.Planned)
	assert.Contains(t, ProgressLine(last), "(target 50)")
}

func TestOptionErrors(t *testing.T) {
	tests := []struct {
		o    Options
		want string
	}{
		{Options{}, "no URL"},
		{Options{URL: "ftp://x"}, "scheme"},
		{Options{URL: "http://x", RPS: -1}, "positive finite rate"},
		{Options{URL: "https://x", H2C: true}, "h2c"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			_, err := Run(context.Background(), tt.o)
			require.ErrorContains(t, err, tt.want)
		})
	}
	require.Error(t, ParseHeader(http.Header{}, "nocolon"))
}

func TestFromSamples(t *testing.T) {
	start := time.Unix(1700000000, 0)
	var samples []Sample
	for i := range 300 { // 100 req/s for 3 s, every 10th a 503, two socket errors
		code := 200
		if i%10 == 0 {
			code = 503
		}
		if i == 150 || i == 151 {
			code = -1
		}
		samples = append(samples, Sample{Start: start.Add(time.Duration(i) * 10 * time.Millisecond), Latency: time.Duration(1+i%5) * time.Millisecond, Code: code})
	}
	r := FromSamples(Options{URL: "http://httpbin:8000/get", RPS: 100, Duration: 3 * time.Second, Concurrency: 2}, samples, time.Second)
	assert.EqualValues(t, 300, r.Count())
	assert.Equal(t, map[int]int64{200: 269, 503: 29, -1: 2}, r.RetCodes)
	require.Len(t, r.Labctl.Series, 3)
	assert.EqualValues(t, 100, r.Labctl.Series[0].Count)
	assert.InDelta(t, 100, r.ActualQPS, 1)
	assert.Equal(t, 5*time.Millisecond, r.Percentile(100))
	assert.Contains(t, strings.Join(r.Labctl.Warnings, "\n"), "2 requests failed without an HTTP response")
}

func newBenchServer() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte("ok\n"))
	}))
}
