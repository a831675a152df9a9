// Package preflight holds the checks labctl runs before it touches anything:
// container runtime reachable, inotify limits, host ports free, runtime
// memory and CPUs, cluster reachable. Every failed check carries the exact
// fix, so `labctl up` fails fast with something the user can act on.
package preflight
