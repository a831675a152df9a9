package state

import (
	"fmt"

	"github.com/labctl/labctl/internal/appurl"
)

// URLApp is the app as appurl's rule sees it.
func (a App) URLApp() appurl.App {
	return appurl.App{Name: a.Name, Host: a.Host, Path: a.Path, URL: a.URL}
}

// AppTarget resolves the app called name (the first app for "") to the URL
// and Host header requests for it use, by appurl's one rule; path, when not
// "", replaces the app's path. The error names the environment and, for an
// unknown app, lists the apps it has; for an app without any URL it wraps
// appurl.ErrNoURL.
func (e *Environment) AppTarget(name, path string) (appurl.Target, error) {
	app, err := e.PickApp(name)
	if err != nil {
		return appurl.Target{}, err
	}
	t, err := appurl.Resolve(e.IngressURL, app.URLApp(), path)
	if err != nil {
		return appurl.Target{}, fmt.Errorf("environment %q: %w; is it up (labctl status)?", e.Name, err)
	}
	return t, nil
}

// PickApp returns the app called name, or the first app for "" (appurl.Pick).
func (e *Environment) PickApp(name string) (App, error) {
	apps := make([]appurl.App, len(e.Apps))
	for i, a := range e.Apps {
		apps[i] = a.URLApp()
	}
	picked, err := appurl.Pick(apps, name)
	if err != nil {
		return App{}, fmt.Errorf("environment %q: %w", e.Name, err)
	}
	a, _ := e.App(picked.Name)
	return a, nil
}
