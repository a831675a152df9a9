package verify

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
	"time"
)

// timeMarker separates curl's response dump from its timing line.
const timeMarker = "\n__LABCTL_TIME_TOTAL__="

// curlCommand builds the curl command an in-cluster request runs in the
// source pod. -i dumps status and headers before the body; HTTP/1.1 keeps the
// status line parseable; the timing goes after a marker line.
func curlCommand(t *Target, host string, timeout time.Duration) []string {
	method := t.Method
	if method == "" {
		method = http.MethodGet
	}
	secs := strconv.FormatFloat(timeout.Seconds(), 'f', -1, 64)
	cmd := []string{"curl", "-sS", "-i", "--http1.1", "--max-time", secs, "-X", method}
	keys := sortedKeys(t.Headers)
	for _, k := range keys {
		cmd = append(cmd, "-H", k+": "+t.Headers[k])
	}
	if host != "" {
		cmd = append(cmd, "-H", "Host: "+host)
	}
	if t.Body != "" {
		cmd = append(cmd, "--data-binary", t.Body)
	}
	cmd = append(cmd, "-w", strings.ReplaceAll(timeMarker, "\n", `\n`)+"%{time_total}", t.URL)
	return cmd
}

func (s *sender) sendFromPod(ctx context.Context) response {
	pod, err := resolvePod(ctx, s.env.Kube, s.t.From)
	if err != nil {
		return response{err: err}
	}
	cmd := curlCommand(s.t, s.host, s.timeout())
	start := time.Now()
	res, err := s.env.Exec.Exec(ctx, ExecRequest{Namespace: s.t.From.Namespace, Pod: pod, Container: s.t.From.Container, Command: cmd})
	if err != nil {
		return response{err: fmt.Errorf("running curl in pod %s/%s: %w", s.t.From.Namespace, pod, err), latency: time.Since(start)}
	}
	return parseCurl(res, time.Since(start))
}

// parseCurl turns curl's -i output into a response. A non-zero curl exit
// code is a transport failure (56 = connection reset, typical when STRICT
// mTLS rejects a plain-text client).
func parseCurl(res ExecResult, wall time.Duration) response {
	out := res.Stdout
	latency := wall
	if i := strings.LastIndex(out, timeMarker); i >= 0 {
		if secs, err := strconv.ParseFloat(strings.TrimSpace(out[i+len(timeMarker):]), 64); err == nil {
			latency = time.Duration(secs * float64(time.Second))
		}
		out = out[:i]
	}
	if res.ExitCode != 0 {
		msg := strings.TrimSpace(res.Stderr)
		if msg == "" {
			msg = "no error output"
		}
		return response{err: fmt.Errorf("curl exit code %d: %s", res.ExitCode, msg), latency: latency}
	}
	r := bufio.NewReader(strings.NewReader(out))
	tp := textproto.NewReader(r)
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return response{err: fmt.Errorf("curl output has no HTTP status line: %q", truncate(out, 200)), latency: latency}
		}
		status, ok := parseStatusLine(line)
		if !ok {
			return response{err: fmt.Errorf("curl output has no HTTP status line: %q", truncate(line, 200)), latency: latency}
		}
		hdr, err := tp.ReadMIMEHeader()
		if err != nil && err != io.EOF {
			return response{err: fmt.Errorf("parsing curl's response headers: %w", err), latency: latency}
		}
		if status == http.StatusContinue {
			continue
		}
		body, _ := io.ReadAll(r)
		return response{status: status, header: http.Header(hdr), body: body, latency: latency}
	}
}

func parseStatusLine(line string) (int, bool) {
	proto, rest, ok := strings.Cut(line, " ")
	if !ok || !strings.HasPrefix(proto, "HTTP/") {
		return 0, false
	}
	code, _, _ := strings.Cut(rest, " ")
	n, err := strconv.Atoi(code)
	return n, err == nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
