package checkenv

import (
	"context"
	"fmt"
	"sync"

	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/restmapper"

	"github.com/labctl/labctl/internal/kube"
	"github.com/labctl/labctl/internal/portforward"
	"github.com/labctl/labctl/internal/state"
	"github.com/labctl/labctl/verify"
)

// URLs are base URLs the user gave; "" means derive it (the record's
// ingress, a port-forward to the addon).
type URLs struct {
	Prometheus, Kiali, Jaeger, Zipkin, Ingress string
}

// api returns the URL given for a telemetry API (verify.APIPrometheus, ...).
func (u URLs) api(name string) string {
	switch name {
	case verify.APIPrometheus:
		return u.Prometheus
	case verify.APIKiali:
		return u.Kiali
	case verify.APIJaeger:
		return u.Jaeger
	case verify.APIZipkin:
		return u.Zipkin
	}
	return ""
}

// Options are the inputs of Build.
type Options struct {
	// Record is the environment's state record; nil when there is none
	// (checks then use URLs and the current kube context only).
	Record *state.Environment
	URLs   URLs
	// Clients connects to the cluster; Build calls it only when a check
	// needs the cluster. nil means no cluster is reachable.
	Clients func(ctx context.Context) (*kube.Clients, error)
}

// NeedsCluster reports whether any of specs talks to the Kubernetes API,
// given the URLs (a telemetry API without a URL is port-forwarded).
func NeedsCluster(specs []verify.Spec, u URLs) bool {
	for i := range specs {
		n := specs[i].Needs()
		if n.Cluster || (n.API != "" && u.api(n.API) == "") {
			return true
		}
	}
	return false
}

// Build returns the Env for specs. Port-forwards it opens on demand live
// until ctx ends, so pass a context that outlives the check run.
func Build(ctx context.Context, specs []verify.Spec, o Options) (verify.Env, error) {
	var env verify.Env
	if rec := o.Record; rec != nil {
		env.Simulated = rec.Simulated
		env.Ingress = rec.IngressURL
		env.Apps = map[string]verify.App{}
		for _, a := range rec.Apps {
			env.Apps[a.Name] = verify.App{Host: a.Host, Path: a.Path, URL: a.URL}
		}
	}
	if o.URLs.Ingress != "" {
		env.Ingress = o.URLs.Ingress
	}
	env.Prometheus = verify.StaticURL(o.URLs.Prometheus)
	env.Kiali = verify.StaticURL(o.URLs.Kiali)
	env.Jaeger = verify.StaticURL(o.URLs.Jaeger)
	env.Zipkin = verify.StaticURL(o.URLs.Zipkin)
	if !NeedsCluster(specs, o.URLs) {
		return env, nil
	}
	if o.Clients == nil {
		return env, fmt.Errorf("the checks need the cluster (pods, resource, exec, in-cluster or port-forwarded checks) and none is configured")
	}
	clients, err := o.Clients(ctx)
	if err != nil {
		return env, fmt.Errorf("the checks need the cluster (pods, resource, exec, in-cluster or port-forwarded checks): %w", err)
	}
	env.Kube, env.Dynamic = clients.Kube, clients.Dynamic
	// One discovery for the whole run; the mapper re-discovers on an unknown
	// kind, so CRDs installed by a lab step are still found.
	env.Mapper = restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(clients.Kube.Discovery()))
	if clients.REST != nil {
		env.Exec = verify.KubeExecutor{Config: clients.REST, Kube: clients.Kube}
		fw := portforward.New(clients.Kube, clients.REST)
		env.PortForward = forwarder(ctx, fw)
		for _, ep := range []struct {
			dst  *verify.Endpoint
			name string
		}{{&env.Prometheus, verify.APIPrometheus}, {&env.Kiali, verify.APIKiali}, {&env.Jaeger, verify.APIJaeger}, {&env.Zipkin, verify.APIZipkin}} {
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
// on first use and kept until ctx ends.
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
