// Package checkenv builds the verify.Env that checks run in from an
// environment record, URLs given by the user and the cluster clients. The
// `check` command and the lab engine both call Build, so a check behaves the
// same from either.
//
// The cluster is connected only when a check needs it (verify.Spec.Needs):
// a check set of ingress and URL checks with every telemetry URL given runs
// without a kubeconfig. Telemetry APIs without a URL are reached through one
// port-forward each, opened on first use and kept until the context of
// Build ends.
package checkenv
