package verify

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"github.com/labctl/labctl/internal/appurl"
)

// Env is everything checks need from the environment, injected by the
// caller (the CLI, the labs engine, tests). Fields a check set does not use
// may stay empty; a check that needs a missing one ends with an error that
// says which setting to provide.
type Env struct {
	// Kube and Dynamic reach the cluster: pods and exec use Kube, resource
	// uses Dynamic with Mapper to turn apiVersion+kind into a resource.
	Kube    kubernetes.Interface
	Dynamic dynamic.Interface
	Mapper  meta.RESTMapper
	// Exec runs commands in pods (exec checks, http checks from inside the
	// cluster).
	Exec Executor

	// Ingress is the environment's ingress gateway base URL
	// (state.Environment.IngressURL), Apps the per-app Host headers and paths.
	Ingress string
	Apps    map[string]App
	// PortForward opens a forward to a service or pod port for http checks
	// with `portForward`; nil when the caller cannot forward.
	PortForward PortForwarder

	// Base URLs of the telemetry APIs, resolved when a check needs them.
	Prometheus Endpoint
	Kiali      Endpoint
	Jaeger     Endpoint
	Zipkin     Endpoint

	// HTTPClient sends http and split requests and telemetry API calls; nil
	// means a client that does not follow redirects.
	HTTPClient *http.Client

	// Simulated marks a cluster without a data plane (kwok): checks that need
	// traffic are skipped with SkipSimulated.
	Simulated bool
}

// App is a demo application reachable through the ingress.
type App struct {
	// Host is the Host header the ingress routes on ("" = none).
	Host string
	// Path is the app's default path, e.g. /productpage.
	Path string
	// URL is the app's own full URL (with its path), used instead of the
	// ingress.
	URL string
}

// appTarget resolves an app of the environment with the one rule labctl
// uses everywhere (internal/appurl). Without apps (no environment record)
// any name goes through the ingress URL; with apps, an unknown name is an
// error listing them rather than a request without its Host header.
func (e *Env) appTarget(name, path string) (appurl.Target, error) {
	app, ok := e.Apps[name]
	if !ok && len(e.Apps) > 0 {
		return appurl.Target{}, errMissing(fmt.Sprintf("app %q", name),
			fmt.Sprintf("the environment's apps are %s; check the app name", strings.Join(sortedKeys(e.Apps), ", ")))
	}
	t, err := appurl.Resolve(e.Ingress, appurl.App{Name: name, Host: app.Host, Path: app.Path, URL: app.URL}, path)
	if errors.Is(err, appurl.ErrNoURL) {
		return appurl.Target{}, errMissing("the ingress URL", "pass --ingress-url or use an environment with an ingress")
	}
	return t, err
}

// Endpoint resolves the base URL of an API (Prometheus, Kiali, ...), for
// example by opening a port-forward on first use.
type Endpoint func(ctx context.Context) (string, error)

// StaticURL is an Endpoint with a fixed base URL; "" gives a nil Endpoint.
func StaticURL(u string) Endpoint {
	if u == "" {
		return nil
	}
	u = strings.TrimRight(u, "/")
	if err := checkScheme(u); err != nil {
		return func(context.Context) (string, error) { return "", err }
	}
	return func(context.Context) (string, error) { return u, nil }
}

// checkScheme refuses a URL whose scheme checks cannot request, as a
// permanent error: retrying it until the timeout cannot help.
func checkScheme(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return permanent(fmt.Errorf("URL %q: %w", raw, err))
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		return nil
	case "":
		return permanent(fmt.Errorf("URL %q has no scheme: write http://%s", raw, raw))
	}
	return permanent(fmt.Errorf("URL %q: scheme %q is not supported: use http or https", raw, u.Scheme))
}

// PortForwarder forwards a local port to port of a Service in namespace and
// returns the local base URL ("http://127.0.0.1:PORT") and a function that
// closes the forward.
type PortForwarder func(ctx context.Context, namespace, service string, port int) (baseURL string, stop func(), err error)

// Executor runs a command in a container of a pod and returns its output and
// exit code. A non-zero exit code is not an error; err is for failures to run
// the command at all (pod gone, exec not permitted, stream broken).
type Executor interface {
	Exec(ctx context.Context, req ExecRequest) (ExecResult, error)
}

// ExecRequest names the command and where to run it.
type ExecRequest struct {
	Namespace, Pod, Container string
	Command                   []string
}

// ExecResult is the outcome of a command.
type ExecResult struct {
	Stdout, Stderr string
	ExitCode       int
}

// apiTimeout bounds one telemetry API or Kubernetes API call inside an
// attempt, so a stalled server cannot eat the whole check timeout.
const apiTimeout = 30 * time.Second

func (e *Env) httpClient() *http.Client {
	if e.HTTPClient != nil {
		return e.HTTPClient
	}
	return noRedirectClient
}

var noRedirectClient = &http.Client{
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	Transport: &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		MaxIdleConnsPerHost: 64,
		IdleConnTimeout:     30 * time.Second,
	},
}

// errMissing builds the error for a setting the environment does not have.
func errMissing(what, how string) error {
	return permanent(errors.New(what + " is not configured: " + how))
}

// permanentError stops polling: retrying cannot fix it.
type permanentError struct{ error }

func (p permanentError) Unwrap() error { return p.error }

func permanent(err error) error { return permanentError{err} }

func isPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p)
}
