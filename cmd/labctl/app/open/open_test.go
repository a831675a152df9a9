package open

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/labctl/labctl/internal/cli"
	"github.com/labctl/labctl/internal/kube"
	"github.com/labctl/labctl/internal/portforward"
	"github.com/labctl/labctl/internal/state"
)

// signalBuffer is a goroutine-safe buffer that reports its first write.
type signalBuffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	once    sync.Once
	written chan struct{}
}

func newSignalBuffer() *signalBuffer { return &signalBuffer{written: make(chan struct{})} }

func (b *signalBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	defer b.once.Do(func() { close(b.written) })
	return b.buf.Write(p)
}

func (b *signalBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type fixture struct {
	deps     *cli.Deps
	out      *signalBuffer
	errOut   *bytes.Buffer
	forwards []portforward.Options
	browsed  []string
	seams    seams
}

func newFixture(env *state.Environment, output string) *fixture {
	fx := &fixture{out: newSignalBuffer(), errOut: &bytes.Buffer{}}
	fx.deps = &cli.Deps{
		Streams: cli.Streams{Out: fx.out, ErrOut: fx.errOut},
		Log:     cli.NewLogger(fx.errOut, 0),
		Output:  output,
		Kube:    func(context.Context) (*kube.Clients, error) { return &kube.Clients{Context: "kind-lab"}, nil },
		Env: func() (*state.Environment, error) {
			if env == nil {
				return nil, errors.New(`no environment "lab": run "labctl up"`)
			}
			return env, nil
		},
	}
	fx.seams = seams{
		forward: func(ctx context.Context, _ *kube.Clients, o portforward.Options) (tunnel, error) {
			fx.forwards = append(fx.forwards, o)
			done := make(chan struct{})
			go func() { <-ctx.Done(); close(done) }()
			return tunnel{URL: "http://127.0.0.1:4242" + o.Path, Pod: o.Service + "-0", Done: done, Err: func() error { return nil }}, nil
		},
		browse: func(_ context.Context, url string) error {
			fx.browsed = append(fx.browsed, url)
			return nil
		},
	}
	return fx
}

// runUntilPrinted runs the command, waits for its first output, then presses
// Ctrl-C (cancels the context) and returns run's error.
func (fx *fixture) runUntilPrinted(t *testing.T, f *flagpole, name string) error {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errCh := make(chan error, 1)
	go func() { errCh <- run(ctx, fx.deps, f, name, fx.seams) }()
	// A run that never writes, or ignores Ctrl-C, hangs the test until its
	// -timeout, which fails it.
	select {
	case <-fx.out.written:
	case err := <-errCh:
		return err
	}
	cancel()
	return <-errCh
}

func TestOpenDashboards(t *testing.T) {
	cases := []struct {
		name      string
		flags     flagpole
		wantOpts  portforward.Options
		wantURL   string
		wantBrows bool
	}{
		{"kiali", flagpole{port: 20001}, portforward.Options{Namespace: "istio-system", Service: "kiali", Port: 20001, LocalPort: 20001, Path: "/kiali"}, "http://127.0.0.1:4242/kiali", false},
		{"grafana", flagpole{port: 3001, browser: true}, portforward.Options{Namespace: "istio-system", Service: "grafana", Port: 3000, LocalPort: 3001}, "http://127.0.0.1:4242", true},
		{"prometheus", flagpole{port: 19090, browser: true, noBrowser: true}, portforward.Options{Namespace: "istio-system", Service: "prometheus", Port: 9090, LocalPort: 19090}, "http://127.0.0.1:4242", false},
		{"jaeger", flagpole{port: 1, namespace: "tracing"}, portforward.Options{Namespace: "tracing", Service: "jaeger", Port: 16686, LocalPort: 1}, "http://127.0.0.1:4242", false},
		{"zipkin", flagpole{port: 9411}, portforward.Options{Namespace: "istio-system", Service: "zipkin", Port: 9411, LocalPort: 9411}, "http://127.0.0.1:4242", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fx := newFixture(nil, "")
			f := tc.flags
			require.NoError(t, fx.runUntilPrinted(t, &f, tc.name))
			require.Len(t, fx.forwards, 1)
			assert.Equal(t, tc.wantOpts, fx.forwards[0])
			assert.Equal(t, tc.wantURL+"\n", fx.out.String(), "stdout holds only the URL")
			if tc.wantBrows {
				assert.Equal(t, []string{tc.wantURL}, fx.browsed)
			} else {
				assert.Empty(t, fx.browsed, "no browser unless --browser and not --no-browser")
			}
			assert.Contains(t, fx.errOut.String(), "press Ctrl-C to stop")
		})
	}
}

func TestOpenJSON(t *testing.T) {
	fx := newFixture(nil, "json")
	require.NoError(t, fx.runUntilPrinted(t, &flagpole{port: 20001}, "kiali"))
	var got result
	require.NoError(t, json.Unmarshal([]byte(fx.out.String()), &got))
	assert.Equal(t, result{Name: "kiali", URL: "http://127.0.0.1:4242/kiali", Namespace: "istio-system", Service: "kiali", Pod: "kiali-0", Forwarded: true}, got)
}

func TestOpenApp(t *testing.T) {
	cases := []struct {
		name        string
		env         *state.Environment
		app         string
		wantURL     string
		wantForward *portforward.Options
		wantErr     string
	}{
		{
			name:    "app URL from the record, no tunnel",
			env:     &state.Environment{Name: "lab", Apps: []state.App{{Name: "bookinfo", URL: "http://127.0.0.1:8080/productpage"}}},
			wantURL: "http://127.0.0.1:8080/productpage",
		},
		{
			name:    "ingress URL plus the app's path",
			env:     &state.Environment{Name: "lab", IngressURL: "http://127.0.0.1:8080/", Apps: []state.App{{Name: "a", Path: "/x"}, {Name: "bookinfo", Path: "/productpage"}}},
			app:     "bookinfo",
			wantURL: "http://127.0.0.1:8080/productpage",
		},
		{
			name:        "no URL: forward to the ingress gateway",
			env:         &state.Environment{Name: "lab", Apps: []state.App{{Name: "bookinfo", Path: "/productpage"}}},
			wantURL:     "http://127.0.0.1:4242/productpage",
			wantForward: &portforward.Options{Namespace: "istio-ingress", Service: "istio-ingress", Port: 80, LocalPort: 18080, Path: "/productpage"},
		},
		{
			name:    "unknown app",
			env:     &state.Environment{Name: "lab", Apps: []state.App{{Name: "bookinfo"}}},
			app:     "travels",
			wantErr: `environment "lab": no app "travels" (apps: bookinfo)`,
		},
		{
			name:    "no environment record",
			wantErr: "labctl up",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fx := newFixture(tc.env, "")
			err := fx.runUntilPrinted(t, &flagpole{app: tc.app, port: 18080, browser: true}, "app")
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.wantURL+"\n", fx.out.String())
			assert.Equal(t, []string{tc.wantURL}, fx.browsed)
			if tc.wantForward == nil {
				assert.Empty(t, fx.forwards)
			} else {
				require.Len(t, fx.forwards, 1)
				assert.Equal(t, *tc.wantForward, fx.forwards[0])
			}
		})
	}
}

func TestOpenErrors(t *testing.T) {
	cases := []struct {
		name    string
		arg     string
		flags   flagpole
		output  string
		kubeErr error
		want    string
	}{
		{"unknown dashboard", "kibana", flagpole{}, "", nil, "use one of kiali, grafana, prometheus, jaeger, zipkin, app"},
		{"bad port", "kiali", flagpole{port: 70000}, "", nil, "--port 70000 is out of range"},
		{"bad output", "kiali", flagpole{}, "xml", nil, `unknown output format "xml"`},
		{"no cluster", "kiali", flagpole{}, "", errors.New("reading kubeconfig: no such file"), "open kiali: reading kubeconfig"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fx := newFixture(nil, tc.output)
			if tc.kubeErr != nil {
				fx.deps.Kube = func(context.Context) (*kube.Clients, error) { return nil, tc.kubeErr }
			}
			f := tc.flags
			err := run(context.Background(), fx.deps, &f, tc.arg, fx.seams)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.Empty(t, fx.forwards)
		})
	}
}

func TestForwardErrorIsWrapped(t *testing.T) {
	fx := newFixture(nil, "")
	fx.seams.forward = func(context.Context, *kube.Clients, portforward.Options) (tunnel, error) {
		return tunnel{}, errors.New("service istio-system/kiali not found")
	}
	err := run(context.Background(), fx.deps, &flagpole{}, "kiali", fx.seams)
	assert.EqualError(t, err, "open kiali: service istio-system/kiali not found")
	assert.Empty(t, fx.out.String())
}

func TestCommandWiring(t *testing.T) {
	cmd := NewCommand(&cli.Deps{})
	assert.Equal(t, "open NAME", cmd.Use)
	assert.Equal(t, []string{"kiali", "grafana", "prometheus", "jaeger", "zipkin", "app"}, cmd.ValidArgs)
	for _, fl := range []string{"browser", "no-browser", "port", "namespace", "app"} {
		assert.NotNil(t, cmd.Flags().Lookup(fl), fl)
	}
	assert.Nil(t, cmd.Flags().Lookup("address"), "the bind address must not be configurable")
	assert.Error(t, cmd.Args(cmd, nil))
}

func TestBrowserCommand(t *testing.T) {
	cases := map[string]string{"linux": "xdg-open", "darwin": "open", "freebsd": "xdg-open", "windows": "rundll32"}
	for goos, want := range cases {
		got, _ := browserCommand(goos)
		assert.Equal(t, want, got, goos)
	}
}
