// Package state keeps one record per labctl environment in the user's state
// directory: which provider and kube context it uses, which Helm releases,
// namespaces and cluster-scoped objects labctl created, and where its ingress
// is. Records are written atomically and guarded by a per-environment lock so
// two `labctl up` runs on one environment cannot race.
package state
