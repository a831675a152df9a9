// Package classify sorts HTTP responses into classes that labs define, such as
// the Bookinfo reviews version a productpage was rendered with, so a lab can
// ask "what share of the traffic went to v3?".
//
// A Classifier looks at one response (status, headers, body) and returns a
// class name, or "" when the response does not belong to any class. Rules are
// the declarative form labs write (first match wins); Builtin returns the
// classifiers for the demo applications labctl ships.
//
// The package has no dependencies beyond the standard library so that the
// load generator and the lab verify checks can share it.
package classify
