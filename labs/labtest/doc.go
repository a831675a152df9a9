// Package labtest runs labs unattended, as `labctl test` does in CI: per
// lab it starts the lab, and for each step checks that the step's checks
// fail before its solution (when the step says they must), applies the
// solution and checks that they pass; after the last step it resets to an
// earlier step and checks again (proving reset), then stops the lab and
// requires the environment to be as the lab found it. Labs are grouped by
// stack and mesh mode, one environment per group. Reports: a summary
// table, JUnit XML (one testsuite per lab, one testcase per step) and JSON.
package labtest
