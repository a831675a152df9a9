// Package junit is the one JUnit XML model and writer of labctl: `labctl
// check --junit` (verify/report: a testsuite per check set, a testcase per
// check) and `labctl test --junit` (labs/labtest: a testsuite per lab and
// mode, a testcase per step) both build Suites and Write them, so the two
// reports have the same shape, counts and escaping.
//
// The shape is the one Jenkins, GitLab and GitHub's test reporters read:
// <testsuites> with totals, <testsuite> with its own totals and optional
// <properties>, <testcase name classname time> holding at most one of
// <skipped message>, <failure message type> or <error message type> (the
// details as CDATA), and an optional <system-out>.
package junit
