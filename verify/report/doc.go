// Package report prints a verify.Report three ways: a terminal checklist
// (✓ pass, ✗ fail, ⊘ skipped, ! error, with the hint under each failure),
// indented JSON, and JUnit XML for CI (one testsuite per check set, one
// testcase per check).
package report
