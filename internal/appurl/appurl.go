package appurl

import (
	"errors"
	"fmt"
	"strings"
)

// App is what the rule needs to know about one app.
type App struct {
	Name string
	// Host is the Host header the ingress routes on ("" = none).
	Host string
	// Path is the app's default path, e.g. /productpage.
	Path string
	// URL is the app's own full URL (with its path); "" = through the ingress.
	URL string
}

// Target is where requests for an app go.
type Target struct {
	URL string
	// Host is the Host header to send, "" for the URL's own.
	Host string
}

// ErrNoURL means the app has no URL and the environment no ingress URL.
var ErrNoURL = errors.New("no URL: the app has none and the environment has no ingress URL")

// Resolve applies the rule to app, reached through ingress (the
// environment's ingress base URL, may be ""); path, when not "", replaces
// the app's path.
func Resolve(ingress string, app App, path string) (Target, error) {
	t := Target{Host: app.Host}
	switch {
	case app.URL != "" && path == "":
		t.URL = app.URL
	case app.URL != "":
		t.URL = origin(app.URL) + slash(path)
	case ingress != "":
		if path == "" {
			path = app.Path
		}
		t.URL = strings.TrimRight(ingress, "/") + slash(path)
	default:
		return Target{}, fmt.Errorf("app %q: %w", app.Name, ErrNoURL)
	}
	return t, nil
}

// Pick returns the app called name among apps, or, for "", the first one
// (apps are in the order of the stack, whose first app is its main one).
// The error lists the apps there are.
func Pick(apps []App, name string) (App, error) {
	if name == "" && len(apps) > 0 {
		return apps[0], nil
	}
	names := make([]string, 0, len(apps))
	for _, a := range apps {
		if a.Name == name {
			return a, nil
		}
		names = append(names, a.Name)
	}
	if name == "" {
		return App{}, errors.New("the environment has no apps")
	}
	if len(names) == 0 {
		return App{}, fmt.Errorf("no app %q: the environment has no apps", name)
	}
	return App{}, fmt.Errorf("no app %q (apps: %s)", name, strings.Join(names, ", "))
}

// origin is scheme://host of u.
func origin(u string) string {
	scheme, rest, ok := strings.Cut(u, "://")
	if !ok {
		host, _, _ := strings.Cut(u, "/")
		return host
	}
	host, _, _ := strings.Cut(rest, "/")
	return scheme + "://" + host
}

func slash(p string) string { return "/" + strings.TrimLeft(p, "/") }

// Service is the Kubernetes Service an app is reached by from inside the
// cluster.
type Service struct {
	Name, Namespace string
	Port            int32
}

// InCluster applies the rule from inside the cluster (a load Job, a
// pod): the Service's cluster DNS name and port, followed by the app's
// path, which path replaces when not "". There is no Host header: the
// Service name is the host.
func InCluster(svc Service, app App, path string) (Target, error) {
	if svc.Name == "" || svc.Namespace == "" || svc.Port <= 0 {
		return Target{}, fmt.Errorf("app %q: in-cluster requests need a Service name, namespace and port (have %s/%s port %d)",
			app.Name, svc.Namespace, svc.Name, svc.Port)
	}
	if path == "" {
		path = app.Path
	}
	return Target{URL: fmt.Sprintf("http://%s.%s.svc.cluster.local:%d%s", svc.Name, svc.Namespace, svc.Port, slash(path))}, nil
}
