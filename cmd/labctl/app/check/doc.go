// Package check implements `labctl check`: run a check set (verify.Spec
// list) from a file against the current environment and print the checklist,
// JSON or JUnit XML. The command only turns flags and the environment record
// into a verify.Env; the checks live in the verify library.
package check
