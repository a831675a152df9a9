// Package app is labctl's command tree: the root command, global flags and
// the wiring of the libraries (stacks, verify, loadgen) into thin cobra
// commands. It is the only place that calls os.Exit.
package app
