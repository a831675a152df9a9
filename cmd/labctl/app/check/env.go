package check

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/restmapper"

	"github.com/labctl/labctl/internal/cli"
	"github.com/labctl/labctl/internal/portforward"
	"github.com/labctl/labctl/internal/state"
	"github.com/labctl/labctl/verify"
)

// urls are the telemetry API base URLs given on the command line.
type urls struct {
	prometheus, kiali, jaeger, zipkin, ingress string
}

// needsCluster reports whether any check talks to the Kubernetes API, given
// which telemetry URLs were passed (without a URL, the API is reached through
// a port-forward).
func needsCluster(specs []verify.Spec, u urls) bool {
	for _, s := range specs {
		switch {
		case s.Pods != nil, s.Resource != nil, s.Exec != nil:
			return true
		case s.HTTP != nil && (s.HTTP.From != nil || s.HTTP.PortForward != nil):
			return true
		case s.Split != nil && (s.Split.From != nil || s.Split.PortForward != nil):
			return true
		case s.PromQL != nil && u.prometheus == "",
			s.Kiali != nil && u.kiali == "",
			s.Trace != nil && s.Trace.Backend == verify.BackendZipkin && u.zipkin == "",
			s.Trace != nil && s.Trace.Backend != verify.BackendZipkin && u.jaeger == "":
			return true
		}
	}
	return false
}

// buildEnv turns the environment record, the cluster clients and the flags
// into a verify.Env. Port-forwards opened on demand live until ctx ends.
func buildEnv(ctx context.Context, d *cli.Deps, specs []verify.Spec, u urls) (verify.Env, error) {
	var env verify.Env
	rec, err := d.Env()
	switch {
	case err == nil:
		env.Simulated = rec.Simulated
		env.Ingress = rec.IngressURL
		env.Apps = map[string]verify.App{}
		for _, a := range rec.Apps {
			env.Apps[a.Name] = verify.App{Host: a.Host, Path: a.Path, URL: a.URL}
		}
	case errors.Is(err, state.ErrNotFound):
		d.Log.V(1).Infof("no environment record %q: checks use the flags and the current kube context only", d.Name)
	default:
		return env, err
	}
	if u.ingress != "" {
		env.Ingress = u.ingress
	}
	env.Prometheus = verify.StaticURL(u.prometheus)
	env.Kiali = verify.StaticURL(u.kiali)
	env.Jaeger = verify.StaticURL(u.jaeger)
	env.Zipkin = verify.StaticURL(u.zipkin)
	if !needsCluster(specs, u) {
		return env, nil
	}
	clients, err := d.Kube(ctx)
	if err != nil {
		return env, fmt.Errorf("the check set needs the cluster (pods, resource, exec, in-cluster or port-forwarded checks): %w", err)
	}
	env.Kube, env.Dynamic = clients.Kube, clients.Dynamic
	// One discovery for the whole run; the mapper re-discovers on an unknown
	// kind, so CRDs installed by the lab step are still found.
	env.Mapper = restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(clients.Kube.Discovery()))
	if clients.REST != nil {
		env.Exec = verify.KubeExecutor{Config: clients.REST, Kube: clients.Kube}
		fw := portforward.New(clients.Kube, clients.REST)
		env.PortForward = forwarder(ctx, fw)
		for _, ep := range []struct {
			dst  *verify.Endpoint
			name string
		}{{&env.Prometheus, "prometheus"}, {&env.Kiali, "kiali"}, {&env.Jaeger, "jaeger"}, {&env.Zipkin, "zipkin"}} {
			if *ep.dst == nil {
				*ep.dst = dashboardEndpoint(ctx, fw, ep.name)
			}
		}
	}
	return env, nil
}

// forwarder opens a port-forward per http/split check and closes it when
// the check ends.
func forwarder(parent context.Context, fw *portforward.Forwarder) verify.PortForwarder {
	return func(ctx context.Context, namespace, service string, port int) (string, func(), error) {
		fctx, cancel := context.WithCancel(parent)
		s, err := fw.Start(fctx, portforward.Options{Namespace: namespace, Service: service, Port: int32(port)})
		if err != nil {
			cancel()
			return "", nil, err
		}
		return s.URL, func() { cancel(); <-s.Done() }, nil
	}
}

// dashboardEndpoint reaches an addon API through one port-forward, opened
// on first use and kept for the rest of the command (ctx).
func dashboardEndpoint(ctx context.Context, fw *portforward.Forwarder, name string) verify.Endpoint {
	var mu sync.Mutex
	var sess *portforward.Session
	return func(callCtx context.Context) (string, error) {
		mu.Lock()
		defer mu.Unlock()
		if sess != nil {
			select {
			case <-sess.Done():
				sess = nil // the tunnel dropped: open a new one
			default:
				return sess.URL, nil
			}
		}
		d, err := portforward.Lookup(name)
		if err != nil {
			return "", err
		}
		// Any free local port: checks must not collide with `labctl dashboards`.
		s, err := fw.Start(ctx, portforward.Options{Namespace: d.Namespace, Service: d.Service, Port: d.Port, Path: d.Path})
		if err != nil {
			return "", fmt.Errorf("port-forward to %s (service %s/%s): %w; or pass --%s-url", name, d.Namespace, d.Service, err, name)
		}
		sess = s
		return s.URL, nil
	}
}
