// Command bench-loadgen compares labctl's load generator with fortio, vegeta,
// hey and wrk against one HTTP server on 127.0.0.1 that it runs itself:
// (a) maximum throughput with 16 connections, then fixed rates (2,000 and
// 10,000 requests per second by default). It measures each generator's CPU
// time from its rusage and prints one table with ratios to fortio and wrk,
// latency as each tool measures it (labctl from the intended send time, with
// a second row from the actual send time as the peers measure it) and
// labctl's send lateness, then checks labctl's goals. Beside every run a
// wake probe (this binary in a process of its own) sleeps 1ms at a time and
// records how late the machine wakes it; its p99 is the "wake p99" column,
// the floor under the send lateness of a generator that sleeps between sends.
// After the tools of a fixed-rate scenario, a spin probe (the same binary)
// spins on the clock without sleeping while fortio drives the rate, and
// reports how late it saw each slot of that rate: the "spin floor" row, the
// floor for any generator, which even a sender that burns a CPU cannot beat.
// Within a round all tools run one scenario back to back, starting with a
// different tool each round; each row is the tool's median run over the
// rounds.
// hack/bench-loadgen.sh builds the tools and runs it (make bench-loadgen).
package main
