// Package testenv is test support for labctl's integration tests and
// benchmarks: it finds the simulated control-plane binaries and the local
// chart repository that `make testenv` (hack/testenv/build.sh) builds,
// serves that repository over HTTP on 127.0.0.1, and starts and stops
// simulated (kwok) clusters through the kwok provider.
//
// Layout, the same rule build.sh follows: binaries in $LABCTL_TESTENV_BIN,
// else <cache>/testenv/bin where <cache> is $LABCTL_CACHE_DIR or the user
// cache directory's labctl/; charts in $LABCTL_TESTENV_CHARTS, else
// <bin>/../charts. Read them before a test points LABCTL_CACHE_DIR at a
// temporary directory for the labctl under test.
package testenv
