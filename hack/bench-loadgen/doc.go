// Command bench-loadgen compares labctl's load generator with fortio, hey
// and wrk against one HTTP server on 127.0.0.1 that it runs itself:
// (a) maximum throughput with 16 connections, (b) a fixed 2,000 requests per
// second. It measures each generator's CPU time from its rusage and prints one
// table with ratios to fortio and wrk, then checks labctl's goals.
// hack/bench-loadgen.sh builds the tools and runs it (make bench-loadgen).
package main
