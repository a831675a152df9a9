package load

import (
	"fmt"
	"strings"

	"github.com/labctl/labctl/internal/cli"
	"github.com/labctl/labctl/internal/state"
)

// target is where the traffic goes.
type target struct {
	URL  string
	Host string // Host header, "" for the URL's
}

// resolveTarget turns APP[/PATH] into the app's ingress URL and Host, and
// passes URLs through.
func resolveTarget(d *cli.Deps, arg string) (target, error) {
	if isURL(arg) {
		if !strings.Contains(arg, "://") {
			arg = "http://" + arg
		}
		return target{URL: arg}, nil
	}
	env, err := d.Env()
	if err != nil {
		if arg == "" {
			return target{}, fmt.Errorf("no target: give an app of the environment or a URL (%w)", err)
		}
		return target{}, fmt.Errorf("app %q: %w; or give a URL such as http://127.0.0.1:8080/", arg, err)
	}
	return appTarget(env, arg)
}

func appTarget(env *state.Environment, arg string) (target, error) {
	name, extra, _ := strings.Cut(arg, "/")
	var names []string
	for _, a := range env.Apps {
		names = append(names, a.Name)
		if a.Name != name && !(name == "" && len(env.Apps) == 1) {
			continue
		}
		u := a.URL
		if u == "" {
			if env.IngressURL == "" {
				return target{}, fmt.Errorf("app %q of environment %q has no URL and the environment no ingress URL; "+
					"is the environment up (labctl status)?", a.Name, env.Name)
			}
			u = strings.TrimRight(env.IngressURL, "/") + "/" + strings.TrimLeft(a.Path, "/")
		}
		if extra != "" {
			u = withPath(u, extra)
		}
		return target{URL: u, Host: a.Host}, nil
	}
	if name == "" {
		return target{}, fmt.Errorf("no target: give one of the apps of environment %q (%s) or a URL", env.Name, strings.Join(names, ", "))
	}
	return target{}, fmt.Errorf("no app %q in environment %q (apps: %s); give an app name or a URL", name, env.Name, strings.Join(names, ", "))
}

// withPath replaces the path of u with p.
func withPath(u, p string) string {
	scheme, rest, _ := strings.Cut(u, "://")
	host, _, _ := strings.Cut(rest, "/")
	return scheme + "://" + host + "/" + strings.TrimLeft(p, "/")
}

// isURL reports whether arg is a URL or host:port rather than an app name.
func isURL(arg string) bool {
	if strings.Contains(arg, "://") {
		return true
	}
	host, _, _ := strings.Cut(arg, "/")
	return strings.Contains(host, ":") || strings.Contains(host, ".") || host == "localhost"
}
