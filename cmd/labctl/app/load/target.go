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

// appTarget resolves APP[/PATH] with the one app rule (state.AppTarget):
// "" is the environment's first app, PATH replaces the app's path.
func appTarget(env *state.Environment, arg string) (target, error) {
	name, extra, _ := strings.Cut(arg, "/")
	t, err := env.AppTarget(name, extra)
	if err != nil {
		return target{}, fmt.Errorf("%w; or give a URL such as http://127.0.0.1:8080/", err)
	}
	return target{URL: t.URL, Host: t.Host}, nil
}

// isURL reports whether arg is a URL or host:port rather than an app name.
func isURL(arg string) bool {
	if strings.Contains(arg, "://") {
		return true
	}
	host, _, _ := strings.Cut(arg, "/")
	return strings.Contains(host, ":") || strings.Contains(host, ".") || host == "localhost"
}
