package load

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/labctl/labctl/internal/cli"
	"github.com/labctl/labctl/internal/state"
)

type recorder struct {
	mu    sync.Mutex
	hosts []string
}

func (r *recorder) handler(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	r.hosts = append(r.hosts, req.Host)
	r.mu.Unlock()
	w.Header().Set("X-Version", "v2")
	_, _ = w.Write([]byte(`<h4>Book Reviews</h4><div class="flex gap-x-1 text-red-500">`))
}

// seen returns the Host headers received so far.
func (r *recorder) seen() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.hosts)
}

func deps(t *testing.T, env *state.Environment) (*cli.Deps, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	var out, errOut bytes.Buffer
	d := &cli.Deps{
		Streams: cli.Streams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut},
		Output:  cli.OutputText,
		Name:    "labctl",
	}
	d.Log = cli.NewLogger(&errOut, 0)
	d.Env = func() (*state.Environment, error) {
		if env == nil {
			return nil, os.ErrNotExist
		}
		return env, nil
	}
	return d, &out, &errOut
}

func execute(t *testing.T, d *cli.Deps, args ...string) error {
	t.Helper()
	cmd := NewCommand(d)
	cmd.SetArgs(args)
	cmd.SetOut(d.Streams.Out)
	cmd.SetErr(d.Streams.ErrOut)
	cmd.SilenceUsage = true
	return cmd.ExecuteContext(context.Background())
}

func TestLoadURLWithReports(t *testing.T) {
	rec := &recorder{}
	s := httptest.NewServer(http.HandlerFunc(rec.handler))
	defer s.Close()
	dir := t.TempDir()
	d, out, errOut := deps(t, nil)
	err := execute(t, d, s.URL+"/productpage", "--rps", "200", "-n", "40", "-c", "2", "--classify", "bookinfo-reviews",
		"--json", filepath.Join(dir, "r.json"), "--html", filepath.Join(dir, "r.html"))
	require.NoError(t, err, errOut.String())
	assert.Contains(t, out.String(), "40 requests in")
	assert.Contains(t, out.String(), "(target 200, 100.0%)")
	assert.Contains(t, out.String(), "v3")
	b, err := os.ReadFile(filepath.Join(dir, "r.json"))
	require.NoError(t, err)
	var j map[string]any
	require.NoError(t, json.Unmarshal(b, &j))
	assert.Equal(t, "200", j["RequestedQPS"])
	h, err := os.ReadFile(filepath.Join(dir, "r.html"))
	require.NoError(t, err)
	assert.Contains(t, string(h), "chart-histogram")
}

func TestLoadAppOfEnvironment(t *testing.T) {
	rec := &recorder{}
	s := httptest.NewServer(http.HandlerFunc(rec.handler))
	defer s.Close()
	env := &state.Environment{Name: "labctl", IngressURL: s.URL, Apps: []state.App{
		{Name: "bookinfo", Namespace: "bookinfo", Host: "bookinfo.example", Path: "/productpage"},
		{Name: "travels", Namespace: "travel-control", Host: "travels.example", URL: s.URL + "/"},
	}}
	d, out, _ := deps(t, env)
	d.Output = cli.OutputJSON
	require.NoError(t, execute(t, d, "travels", "-n", "5", "--classify-rule", "$1=header:x-version=(v\\d)"))
	var j struct {
		URL    string
		Labctl struct{ Classes map[string]int64 }
	}
	require.NoError(t, json.Unmarshal(out.Bytes(), &j))
	assert.Equal(t, s.URL+"/", j.URL)
	assert.Equal(t, map[string]int64{"v2": 5}, j.Labctl.Classes)
	require.NotEmpty(t, rec.seen())
	assert.Equal(t, "travels.example", rec.seen()[0])

	tt, err := appTarget(env, "bookinfo/api/v1/products")
	require.NoError(t, err)
	assert.Equal(t, target{URL: s.URL + "/api/v1/products", Host: "bookinfo.example"}, tt)
	tt, err = appTarget(env, "bookinfo")
	require.NoError(t, err)
	assert.Equal(t, s.URL+"/productpage", tt.URL)
}

func TestLoadErrors(t *testing.T) {
	env := &state.Environment{Name: "labctl", Apps: []state.App{{Name: "bookinfo", URL: "http://127.0.0.1:1/"}}}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"nope"}, `environment "labctl": no app "nope" (apps: bookinfo)`},
		{[]string{"bookinfo", "--rps", "fast"}, `--rps "fast"`},
		{[]string{"bookinfo", "--classify", "x"}, "unknown classifier"},
		{[]string{"bookinfo", "--classify", "bookinfo-reviews", "--classify-rule", "a=b"}, "not both"},
		{[]string{"bookinfo", "--classify-rule", "a=("}, "not a valid regular expression"},
		{[]string{"bookinfo", "-H", "bad"}, "-H"},
		{[]string{"bookinfo", "-n", "1"}, "connection refused"},
		{[]string{"bookinfo", "--in-cluster"}, "--in-cluster needs the URL of a Service"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			d, _, _ := deps(t, env)
			err := execute(t, d, tt.args...)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// Every bad flag is refused with a clear error before a request reaches
// the target.
func TestLoadBadFlagsSendNothing(t *testing.T) {
	var hits atomic.Int64
	s := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer s.Close()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--rps", "0"}, "use --rps max"},
		{[]string{"--rps", "NaN"}, "not a finite rate"},
		{[]string{"--rps", "Inf"}, "not a finite rate"},
		{[]string{"--rps", "-Inf"}, "not a finite rate"},
		{[]string{"--rps", "1e400"}, "not a finite rate"},
		{[]string{"--rps", "-5"}, "use --rps max"},
		{[]string{"-d", "0"}, "--duration 0s: want a positive duration"},
		{[]string{"-d", "-1s"}, "--duration -1s"},
		{[]string{"--timeout", "-1s"}, "--timeout -1s"},
		{[]string{"--timeout", "0"}, "--timeout 0s"},
		{[]string{"-n", "-3"}, "--requests -3"},
		{[]string{"--host", "a\r\nX-Evil: 1"}, "--host: host header"},
		{[]string{"--host", "a b"}, "--host: host header"},
		{[]string{"-X", "GET / HTTP/1.1"}, "-X/--method: HTTP method"},
		{[]string{"-X", "GE\nT"}, "-X/--method"},
		{[]string{"-H", "X-A: 1\r\nX-B: 2"}, "control character"},
		{[]string{"-H", "Host: a b"}, "host header"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			d, _, _ := deps(t, nil)
			err := execute(t, d, append([]string{s.URL}, tt.args...)...)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	assert.Zero(t, hits.Load(), "a request was sent despite a bad flag")
}

// Credentials in the target URL appear in no report or status line.
func TestLoadRedactsCredentials(t *testing.T) {
	rec := &recorder{}
	s := httptest.NewServer(http.HandlerFunc(rec.handler))
	defer s.Close()
	u := strings.Replace(s.URL, "http://", "http://admin:s3cret@", 1) + "/x?access_token=t0ken&page=2"
	dir := t.TempDir()
	for _, out := range []string{cli.OutputText, cli.OutputJSON} {
		d, stdout, stderr := deps(t, nil)
		d.Output = out
		d.Log = cli.NewLogger(stderr, 2)
		require.NoError(t, execute(t, d, u, "-n", "2", "--json", filepath.Join(dir, "r.json"), "--html", filepath.Join(dir, "r.html")))
		j, err := os.ReadFile(filepath.Join(dir, "r.json"))
		require.NoError(t, err)
		h, err := os.ReadFile(filepath.Join(dir, "r.html"))
		require.NoError(t, err)
		for name, text := range map[string]string{"stdout": stdout.String(), "stderr": stderr.String(), "json": string(j), "html": string(h)} {
			assert.NotContains(t, text, "s3cret", "%s (-o %s)", name, out)
			assert.NotContains(t, text, "t0ken", "%s (-o %s)", name, out)
		}
		assert.Contains(t, stdout.String(), "page=2")
	}
}

func TestIsURL(t *testing.T) {
	for in, want := range map[string]bool{
		"bookinfo": true == false, "bookinfo/productpage": false, "http://x": true, "127.0.0.1:8080": true,
		"localhost/x": true, "httpbin.default:8000/get": true,
	} {
		assert.Equal(t, want, isURL(in), in)
	}
}

// TestLoadOutputPathsCheckedFirst: a --json or --html path that cannot be
// written is refused before any request is sent.
func TestLoadOutputPathsCheckedFirst(t *testing.T) {
	var rec recorder
	s := httptest.NewServer(http.HandlerFunc(rec.handler))
	t.Cleanup(s.Close)
	missing := filepath.Join(t.TempDir(), "no-such-dir")
	for _, flag := range []string{"--json", "--html"} {
		d, _, _ := deps(t, nil)
		err := execute(t, d, s.URL+"/", "-n", "5", flag, filepath.Join(missing, "r"))
		require.ErrorContains(t, err, flag+" "+filepath.Join(missing, "r")+": directory "+missing+" does not exist")
	}
	assert.Empty(t, rec.seen(), "no request was sent")
}
