// Package verify runs the checks that end every lab step and tells the
// learner (and CI) whether the step really worked.
//
// A check is a Spec: a name, retry settings (timeout, interval, consecutive
// successes), an optional hint, and exactly one check type: pods, resource,
// http, split, promql, kiali, trace or exec. Specs come from a CheckSet file
// (LoadCheckSet, strict YAML with file:line errors) or are embedded in lab
// steps by the labs engine.
//
// Runner.Run polls every check the way istio.io's doc tests do: one attempt
// at once, then one per interval, until the check has passed `successes`
// times in a row or its timeout expires. A failed check keeps the last
// observed value, the expectation and the hint so the message says what to
// look at. Cancelling the context (Ctrl-C) ends every check promptly with
// the result "error" and the message "interrupted".
//
// Everything a check needs from the outside world (Kubernetes clients, the
// ingress, Prometheus, Kiali, Jaeger/Zipkin, an exec transport) comes in
// through Env, so tests run the checks against real in-process servers and
// the CLI wires the real environment. On a simulated cluster (kwok, no data
// plane) the checks that need traffic are reported as skipped with the
// reason, never passed.
//
// The split check compares observed shares of response classes with
// expected weights using exact per-class binomial tests; see split_stats.go
// for the sample-size formula and the error-rate guarantees.
package verify
