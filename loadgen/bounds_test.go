package loadgen

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/labctl/labctl/loadgen/classify"
)

// rawServer answers every request on 127.0.0.1:0 with respond, which
// writes the raw HTTP response (framing under the test's control); closes
// ends the connection after each response.
func rawServer(t *testing.T, closes bool, respond func(w *bufio.Writer)) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = l.Close() })
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				br, bw := bufio.NewReader(conn), bufio.NewWriter(conn)
				for {
					req, err := http.ReadRequest(br)
					if err != nil {
						return
					}
					_ = req.Body.Close()
					respond(bw)
					if bw.Flush() != nil || closes {
						return
					}
				}
			}()
		}
	}()
	return "http://" + l.Addr().String() + "/"
}

// guard bounds a test that would hang before a fix (not a speed goal).
func guard(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

const mib = 1 << 20

// Responses of any size and framing are read whole and the connection is
// reused. fortio's fast client spun at full CPU, past every timeout, on a
// chunked body larger than its 128 KiB buffer.
func TestLargeBodies(t *testing.T) {
	marker := "<h4>Book Reviews</h4>"
	body := marker + strings.Repeat("x", 2*mib)
	tests := []struct {
		name    string
		respond func(w *bufio.Writer)
		closes  bool // the framing ends with the connection
	}{
		{"chunked, 64 KiB chunks", func(w *bufio.Writer) {
			w.WriteString("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
			for rest := body; rest != ""; {
				n := min(len(rest), 64<<10)
				fmt.Fprintf(w, "%x\r\n%s\r\n", n, rest[:n])
				rest = rest[n:]
			}
			w.WriteString("0\r\nX-Trailer: 1\r\n\r\n")
		}, false},
		{"chunked, one 2 MiB chunk with extension", func(w *bufio.Writer) {
			fmt.Fprintf(w, "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n%x;ext=1\r\n%s\r\n0\r\n\r\n", len(body), body)
		}, false},
		{"content-length", func(w *bufio.Writer) {
			fmt.Fprintf(w, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
		}, false},
		{"100 continue first", func(w *bufio.Writer) {
			fmt.Fprintf(w, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
		}, false},
		{"until close", func(w *bufio.Writer) {
			fmt.Fprintf(w, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n%s", body)
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := rawServer(t, tt.closes, tt.respond)
			for _, classified := range []bool{false, true} {
				o := Options{URL: url, Requests: 3, Concurrency: 1, Timeout: 5 * time.Second}
				if classified {
					o.Classifier, _ = classify.Builtin(classify.BookinfoReviews)
				}
				r, err := Run(guard(t), o)
				require.NoError(t, err)
				require.False(t, r.Labctl.Interrupted, "the run did not end by itself")
				assert.Equal(t, map[int]int64{200: 3}, r.RetCodes, "classified=%v", classified)
				assert.Greater(t, r.Sizes.Sum, float64(3*len(body)))
				if classified {
					assert.EqualValues(t, 3, r.Labctl.Classes["v1"], "classifier saw the body")
				}
				if !tt.closes {
					assert.EqualValues(t, 1, r.SocketCount, "keep-alive connection reused")
				}
			}
		})
	}
}

// A response that stops halfway ends with the request's timeout.
func TestTimeoutInsideBody(t *testing.T) {
	url := rawServer(t, false, func(w *bufio.Writer) {
		w.WriteString("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n100000\r\nhalf")
		w.Flush()
		time.Sleep(5 * time.Second)
	})
	r, err := Run(guard(t), Options{URL: url, Requests: 2, Concurrency: 2, Timeout: 200 * time.Millisecond})
	require.NoError(t, err)
	assert.False(t, r.Labctl.Interrupted)
	assert.Equal(t, map[int]int64{-1: 2}, r.RetCodes)
	assert.EqualValues(t, 2, r.Labctl.Timeouts)
}

// A duration bounds when requests are sent, even when the target is too
// slow for the rate: before, every slot whose intended time fell inside
// the duration was still sent, however late (30 here, for 1.5 s).
func TestDurationBoundsSlowTarget(t *testing.T) {
	url := server(t, func(w http.ResponseWriter, _ *http.Request) { time.Sleep(50 * time.Millisecond) })
	r, err := Run(guard(t), Options{URL: url, RPS: 100, Duration: 300 * time.Millisecond, Concurrency: 1})
	require.NoError(t, err)
	// One connection at 50 ms a request can start at most 7 inside 300 ms.
	assert.LessOrEqual(t, r.Count(), int64(8))
	assert.Contains(t, strings.Join(r.Labctl.Warnings, "\n"), "NOT reached")
}

// The reported elapsed time is what the clock said, whatever the rate.
// Before, one request at 0.001/s reported a run of 1000 s.
func TestElapsedIsMeasured(t *testing.T) {
	url := server(t, ok)
	start := time.Now()
	r, err := Run(guard(t), Options{URL: url, RPS: 0.001, Requests: 1})
	wall := time.Since(start)
	require.NoError(t, err)
	assert.EqualValues(t, 1, r.Count())
	assert.LessOrEqual(t, r.ActualDuration, wall)
}

// Bad options are refused before any request reaches the target.
func TestBadOptionsSendNothing(t *testing.T) {
	var hits atomic.Int64
	url := server(t, func(w http.ResponseWriter, _ *http.Request) { hits.Add(1) })
	nan, inf := 0.0, 1.0
	nan /= nan
	inf /= 0
	tests := []struct {
		name string
		o    Options
		want string
	}{
		{"NaN rate", Options{RPS: nan}, "positive finite rate"},
		{"Inf rate", Options{RPS: inf}, "positive finite rate"},
		{"negative rate", Options{RPS: -1}, "positive finite rate"},
		{"negative timeout", Options{Timeout: -time.Second}, "timeout -1s is negative"},
		{"method with space", Options{Method: "GET /evil HTTP/1.1\r\nX:"}, "HTTP method"},
		{"method with CRLF", Options{Method: "GE\r\nT"}, "HTTP method"},
		{"host with CRLF", Options{Host: "a\r\nX-Evil: 1"}, "host header"},
		{"host with space", Options{Host: "a b"}, "host header"},
		{"Host in headers", Options{Header: http.Header{"Host": {"a b"}}}, "host header"},
		{"header value CRLF", Options{Header: http.Header{"X-A": {"1\r\nX-Evil: 1"}}}, "control character"},
		{"header name", Options{Header: http.Header{"X A": {"1"}}}, "header name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.o.URL, tt.o.Requests = url, 1
			_, err := Run(context.Background(), tt.o)
			require.ErrorContains(t, err, tt.want)
		})
	}
	assert.Zero(t, hits.Load(), "requests reached the target")
	require.ErrorContains(t, ParseHeader(http.Header{}, "X-A: 1\r\nX-B: 2"), "control character")
}
