// Package cli holds the plumbing every labctl command shares: the dependency
// struct passed down from the root command, the verbosity logger, the
// kind-style status lines and the data printers (text, JSON, YAML).
//
// Status and logs go to stderr; data goes to stdout.
package cli
