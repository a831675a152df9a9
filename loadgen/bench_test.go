package loadgen

import (
	"context"
	"net/http"
	"testing"
	"time"
)

// Speed goals of the load generator (issue 15 items 7 and 8), as
// benchmarks: make bench runs them, make bench-loadgen compares the CLI
// with fortio, vegeta, hey and wrk. Figures depend on the machine and on
// what else runs on it.

// BenchmarkFixedRate sends b.N requests at 2,000/s over 16 connections to a
// local server and reports how far behind its intended time each request
// left (goal: p99 within 100µs) and the latency from the intended time.
func BenchmarkFixedRate(b *testing.B) {
	for _, rate := range []float64{2000, 10000} {
		b.Run(rateName(rate), func(b *testing.B) {
			url := benchServer(b)
			b.ResetTimer()
			r, err := Run(context.Background(), Options{URL: url, RPS: rate, Requests: int64(b.N), Concurrency: 16})
			if err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			sl := r.Labctl.SendLateness
			b.ReportMetric(float64(HistPercentile(sl, 50))/1e3, "late-p50-µs")
			b.ReportMetric(float64(HistPercentile(sl, 99))/1e3, "late-p99-µs")
			b.ReportMetric(float64(r.Percentile(50))/1e3, "lat-p50-µs")
			b.ReportMetric(r.ActualQPS, "req/s")
		})
	}
}

// BenchmarkMaxRate sends b.N requests as fast as 16 connections allow
// (goal: at least wrk's rate, compared by make bench-loadgen).
func BenchmarkMaxRate(b *testing.B) {
	url := benchServer(b)
	b.ResetTimer()
	r, err := Run(context.Background(), Options{URL: url, Requests: int64(b.N), Concurrency: 16})
	if err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(r.ActualQPS, "req/s")
}

// BenchmarkFetch is one keep-alive request of the HTTP/1.1 client.
func BenchmarkFetch(b *testing.B) {
	o := Options{URL: benchServer(b), Timeout: time.Second}
	if err := o.normalize(); err != nil {
		b.Fatal(err)
	}
	c, err := newH1Client(&o, false)
	if err != nil {
		b.Fatal(err)
	}
	defer c.close()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if code, _, _, _ := c.fetch(ctx); code != http.StatusOK {
			b.Fatalf("code %d", code)
		}
	}
}

func benchServer(b *testing.B) string {
	b.Helper()
	s := newBenchServer()
	b.Cleanup(s.Close)
	return s.URL
}

func rateName(r float64) string { return time.Duration(float64(time.Second)/r).String() + "-apart" }
