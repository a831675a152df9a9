// Package applyset tracks the objects a lab applied as a Kubernetes ApplySet
// (KEP-3659): a parent ConfigMap carries the applyset.kubernetes.io/id label
// and the tooling, contains-group-kinds and additional-namespaces
// annotations, and every member carries applyset.kubernetes.io/part-of, so
// kubectl and other tools see which objects belong to the lab. The lab
// engine lists the members to prune what it applied, even of kinds outside
// the lab's scope.
package applyset
