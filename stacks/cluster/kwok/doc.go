// Package kwok is the cluster provider for simulated clusters: a local
// control plane (etcd, kube-apiserver, kube-controller-manager,
// kube-scheduler) run as plain processes by kwokctl's "binary" runtime, plus
// the kwok controller faking N nodes and the pods scheduled on them. No
// container runtime and no images are needed, but nothing serves traffic:
// the cluster is Simulated and data-plane checks must be skipped.
//
// The provider runs the kwokctl binary (it is neither kind, helm nor kubectl)
// with KWOK_WORKDIR under labctl's cache directory, so every process, pid
// file, log and etcd data directory of an environment lives in
// <cache>/kwok/clusters/<env>/ and `down` removes it whole. Every process
// listens on 127.0.0.1 only (kwokctl's configuration option bindAddress,
// written to <cache>/kwok/configs/<env>.yaml): kwokctl's default, 0.0.0.0,
// would offer the cluster's etcd, which has neither TLS nor credentials, to
// the whole network. The same file names every port, chosen free by the
// kernel under a machine-wide lock (PortLockPath) held until kwokctl's
// processes listen, so environments started at the same time never share one.
//
// Binaries are found, in order, from explicit options (flags), kwokctl's own
// environment variables (KWOK_KUBE_APISERVER_BINARY, KWOK_ETCD_BINARY, ...),
// the test-environment cache <cache>/testenv/bin filled by `make testenv`,
// and for kwokctl and kubectl $PATH. A component that is found nowhere is
// left to kwokctl, which downloads it on a machine with internet access.
package kwok
