// Package preflight holds the checks labctl runs before it touches anything:
// container runtime reachable, inotify limits, host ports free, runtime
// memory and CPUs, cluster reachable. Every failed check carries the exact
// fix, so `labctl up` fails fast with something the user can act on.
//
// Each check is a function of injected inputs (an Engine for the Docker
// Engine API, a Prober for ports, a readFile for /proc) so its messages are
// unit-tested; providers compose them in their Preflight. Every probe has
// its own short timeout: with Docker stopped the whole kind preflight takes
// milliseconds, and a hung daemon costs at most EnginePingTimeout.
package preflight
