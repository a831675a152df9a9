// Package install turns a Stack into a graph of components (Istio charts,
// the Gateway API CRD bundle, addons, demo apps, background traffic) and
// installs them with the Helm v4 SDK, running every component whose
// dependencies are ready at the same time.
//
// Each component is reconciled: installed when missing, upgraded when its
// chart version or values changed, skipped when current, and resumed when a
// previous run was interrupted. Readiness uses Helm's kstatus watcher.
package install
