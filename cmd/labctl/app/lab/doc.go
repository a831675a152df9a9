// Package lab is the `labctl lab` command group. The read-only commands
// (list, show, files, lint) live in this package's list.go, show.go,
// files.go and lint.go; the workshop commands (start, check, hint, solve,
// next, goto, reset, status, stop) are added by workshop.go. Every command
// only turns flags into calls of the labs library and renders the result.
package lab
