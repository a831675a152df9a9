// Package appurl holds the one rule that turns a demo app of an environment
// into the URL and Host header requests for it use. `labctl load`, `labctl
// open app`, http and split checks and the labs all resolve apps with it, so
// an app name means the same request everywhere.
//
// The rule:
//   - An app with its own URL (state.App.URL: the full URL of its default
//     page) is requested there.
//   - Otherwise the app is reached through the environment's ingress: the
//     ingress base URL followed by the app's path (default "/").
//   - A path given by the caller replaces the app's path (the scheme and
//     host stay).
//   - The Host header is the app's ingress host ("" = the URL's own).
//   - With neither an app URL nor an ingress URL there is no URL: Resolve
//     returns ErrNoURL (`open app` then port-forwards to the gateway).
//   - From inside the cluster (InCluster: the lab engine's in-cluster load
//     Job) the app is its Service's cluster DNS name and port, followed by
//     the same path, with no Host header.
package appurl
