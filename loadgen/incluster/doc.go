// Package incluster generates load from inside the cluster: it runs fortio
// (`fortio load`) in a Job in a namespace of the mesh, waits for the fortio
// container to finish (the sidecar keeps the pod running, so not for the Job),
// reads its JSON result and access log from the pod log and deletes the Job.
// The result is the same loadgen.Result the local generator produces, with a
// time series rebuilt from fortio's access log.
package incluster
