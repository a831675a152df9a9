// Package loadgen generates HTTP traffic with a known shape for labs and
// reports what happened in a form learners can read.
//
// Its own open-model scheduler drives one client per connection (h1Client,
// a keep-alive HTTP/1.1 client that reads bodies of any size and framing
// within each request's timeout; fortio's standard client for h2c). On
// Linux a plain-TCP connection and the timerfd below use raw system calls
// through the network poller (rawio_linux.go), which keeps the runtime's
// monitor thread asleep and the CPU for the target. At a
// target rate every request has its own intended send time on an even
// schedule. A dispatcher hands the next slot to a free connection as soon
// as the previous one is sent; that connection sleeps on a timerfd
// (microsecond wake-ups where Go's timers wake to the millisecond) until
// shortly before the slot's time, spins the last microseconds and sends.
// Its threads ask the kernel for a short time slice (slice_linux.go) so a
// wake-up preempts a busy CPU. Latency is measured from the intended time, so a slow
// server cannot hide its queueing delay (no coordinated omission). How late
// each request left is recorded (Extra.SendLateness). At max rate every
// connection loops as fast as the server answers. A run ends at its request
// count or duration (no request starts after it, however late the
// schedule), with requests in flight bounded by their timeout. Its threads
// run under SCHED_BATCH during a max-rate run (slice_linux.go), so their
// frequent wake-ups do not preempt a target that shares the machine.
//
// Results count responses by status code and by a lab-defined classifier
// (package classify), keep a latency histogram and a per-interval time
// series, and serialise to JSON with fortio's field names and statistics
// (fhttp.HTTPRunnerResults, stats.HistogramData) plus a "Labctl" section;
// Summary writes the text report and the report subpackage the HTML one.
// URLs in results have their credentials masked (internal/redact). Run
// honours its context: cancelling it (Ctrl-C) returns a partial result of
// what was measured.
package loadgen
