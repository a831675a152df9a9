// Package golden compares test output with golden files under a test
// package's testdata directory. Every package's tests take -update (the
// flag this package registers) to rewrite their golden files:
//
//	go test ./verify/report -update
package golden
