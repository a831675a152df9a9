// Package loadgen generates HTTP traffic with a known shape for labs and
// reports what happened in a form learners can read.
//
// It drives fortio's HTTP clients (fortio.org/fortio/fhttp: the fast HTTP/1.1
// client, or the standard client for h2c) from an open-model scheduler: at a
// target rate every request has an intended send time on a fixed schedule,
// any free connection takes the next slot, and latency is measured from the
// intended time, so a slow server cannot hide its queueing delay
// (no coordinated omission). At --rps max every connection loops as fast as
// the server answers.
//
// Results count responses by status code and by a lab-defined classifier
// (package classify), keep a latency histogram and a per-interval time series,
// and serialise to JSON with fortio's field names (fhttp.HTTPRunnerResults)
// plus a "Labctl" section; Summary writes the text report and the report
// subpackage the HTML one. Run honours its context: cancelling it (Ctrl-C)
// returns a partial result of what was measured.
package loadgen
