// Package load implements `labctl load`: traffic with a known shape against
// an app of the environment or any URL, with live progress on stderr and the
// report (text, JSON, HTML) as data. The work is done by package loadgen
// (and loadgen/incluster for --in-cluster); this package only turns flags
// into options.
package load
