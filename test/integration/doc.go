// Package integration holds labctl's end-to-end tests (build tag
// `integration`, names TestIntegration*, run by `make test-integration`).
// They build the labctl binary (or use $LABCTL_BIN) and drive it as a user
// would, against simulated (kwok) clusters, with the local chart repository
// standing in for the official Helm repositories. They need `make testenv`.
package integration
