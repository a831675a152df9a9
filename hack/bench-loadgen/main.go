package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

type config struct {
	labctl, fortio, vegeta, hey, wrk []string // command prefixes; empty = tool missing
	duration                         time.Duration
	conns                            int
	rates                            []int
	rounds                           int
	dir                              string
	self                             string // this binary, for the wake probe
}

// measurement is one tool's run.
type measurement struct {
	tool     string
	rps      float64
	p50, p99 time.Duration // as the tool measures latency
	intended bool          // p50/p99 are from the intended send time
	// labctl only: latency from the actual send, and how late sends left.
	svcP50, svcP99   time.Duration
	lateP50, lateP99 time.Duration
	cpu              time.Duration // user + system
	requests         float64
	note             string
	err              error
	// How late a sleeping thread woke during the run (the wake probe).
	wake    wakeStats
	wakeErr error
}

func main() {
	if handled, err := probeDispatch(os.Args[1:]); handled {
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench-loadgen:", err)
			os.Exit(1)
		}
		return
	}
	var c config
	var labctl, fortio, vegeta, hey, wrk, rates string
	flag.StringVar(&labctl, "labctl", "", `command for labctl load, e.g. "bin/labctl load"`)
	flag.StringVar(&fortio, "fortio", "", "fortio binary")
	flag.StringVar(&vegeta, "vegeta", "", "vegeta binary")
	flag.StringVar(&hey, "hey", "", "hey binary")
	flag.StringVar(&wrk, "wrk", "", "wrk binary")
	flag.DurationVar(&c.duration, "duration", 10*time.Second, "duration of each run")
	flag.IntVar(&c.conns, "c", 16, "connections")
	flag.StringVar(&rates, "rates", "2000,10000", "fixed rates (req/s) of the fixed-rate scenarios, comma-separated")
	flag.IntVar(&c.rounds, "rounds", 3, "rounds per scenario (median reported)")
	flag.Parse()
	for _, r := range strings.Split(rates, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(r))
		if err != nil || n <= 0 {
			fmt.Fprintf(os.Stderr, "bench-loadgen: -rates %q: want positive integers\n", rates)
			os.Exit(2)
		}
		c.rates = append(c.rates, n)
	}
	c.labctl, c.fortio, c.vegeta = strings.Fields(labctl), strings.Fields(fortio), strings.Fields(vegeta)
	c.hey, c.wrk = strings.Fields(hey), strings.Fields(wrk)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, c); err != nil {
		fmt.Fprintln(os.Stderr, "bench-loadgen:", err)
		os.Exit(1)
	}
}

// scenario is one row group of the table: max rate (rate 0) or a fixed rate.
type scenario struct {
	rate  int
	runs  map[string][]measurement
	floor []floorRun // fixed rates: the spin floor, one per round
}

func run(ctx context.Context, c config) error {
	dir, err := os.MkdirTemp("", "bench-loadgen")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	c.dir = dir
	if c.self, err = os.Executable(); err != nil {
		return err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte("ok\n"))
	}), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(l) }()
	defer srv.Close()
	url := "http://" + l.Addr().String() + "/"
	fmt.Fprintf(os.Stderr, "target %s; %s per run, %d connections, %d round(s)\n", url, c.duration, c.conns, c.rounds)

	scenarios := []*scenario{{rate: 0}}
	for _, r := range c.rates {
		scenarios = append(scenarios, &scenario{rate: r})
	}
	for _, sc := range scenarios {
		sc.runs = map[string][]measurement{}
	}
	// The tools of one scenario run back to back, so that they meet the
	// machine in the same state (a shared VM drifts by 10% and more over a
	// few minutes), and each round starts with a different tool, so that
	// no tool always runs first after another scenario.
	for round := range c.rounds {
		for _, sc := range scenarios {
			for _, t := range rotate(tools(c), round) {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				fmt.Fprintf(os.Stderr, "round %d: %s %s ...\n", round+1, t.name, rateLabel(sc.rate))
				sc.runs[t.name] = append(sc.runs[t.name], probed(ctx, c, func() measurement { return t.run(ctx, c, url, sc.rate) }))
			}
			if sc.rate > 0 && ctx.Err() == nil {
				fmt.Fprintf(os.Stderr, "round %d: spin floor %s ...\n", round+1, rateLabel(sc.rate))
				w, err := spinFloor(ctx, c, url, sc.rate)
				sc.floor = append(sc.floor, floorRun{w, err})
			}
		}
	}
	var results [][]measurement
	for _, sc := range scenarios {
		var ms []measurement
		for _, t := range tools(c) {
			ms = append(ms, median(sc.runs[t.name]))
		}
		results = append(results, ms)
	}
	printTable(c, scenarios, results)
	return nil
}

// probed runs one tool's run with the wake probe beside it.
func probed(ctx context.Context, c config, run func() measurement) measurement {
	p, err := startProbe(ctx, "wake probe", c.self, probeArg)
	m := run()
	if err == nil {
		m.wake, err = p.stop()
	}
	m.wakeErr = err
	return m
}

// rotate returns ts starting at its k-th element (mod len), wrapping round.
func rotate[T any](ts []T, k int) []T {
	if len(ts) == 0 {
		return ts
	}
	k %= len(ts)
	return append(slices.Clone(ts[k:]), ts[:k]...)
}

func rateLabel(rate int) string {
	if rate == 0 {
		return "max"
	}
	return fmt.Sprintf("%d rps", rate)
}

// median picks the run with the median rate (errors last).
func median(ms []measurement) measurement {
	ok := slices.DeleteFunc(slices.Clone(ms), func(m measurement) bool { return m.err != nil })
	if len(ok) == 0 {
		return ms[0]
	}
	slices.SortFunc(ok, func(a, b measurement) int {
		switch {
		case a.rps < b.rps:
			return -1
		case a.rps > b.rps:
			return 1
		}
		return 0
	})
	return ok[len(ok)/2]
}

func find(ms []measurement, tool string) *measurement {
	for i := range ms {
		if ms[i].tool == tool && ms[i].err == nil {
			return &ms[i]
		}
	}
	return nil
}

func printTable(c config, scenarios []*scenario, results [][]measurement) {
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	var probeErr error
	fmt.Fprintln(w, "scenario\ttool\treq/s\tvs fortio\tvs wrk\tp50\tp99\tlate p50\tlate p99\twake p99\tCPU s\tCPU µs/req\tnote\t")
	for si, ms := range results {
		f, k := find(ms, "fortio"), find(ms, "wrk")
		name := fmt.Sprintf("(%c) %s, %d conns", 'a'+si, rateLabel(scenarios[si].rate), c.conns)
		for i := range ms {
			m := &ms[i]
			label := ""
			if i == 0 {
				label = name
			}
			if m.err != nil {
				fmt.Fprintf(w, "%s\t%s\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t%v\t\n", label, m.tool, m.err)
				continue
			}
			late50, late99 := "-", "-"
			if m.intended {
				late50, late99 = dur0(m.lateP50), dur0(m.lateP99)
			}
			fmt.Fprintf(w, "%s\t%s\t%.0f\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%.2f\t%.1f\t%s\t\n", label, m.tool, m.rps,
				ratio(m.rps, f, func(x *measurement) float64 { return x.rps }),
				ratio(m.rps, k, func(x *measurement) float64 { return x.rps }),
				dur(m.p50), dur(m.p99), late50, late99, dur(m.wake.P99), m.cpu.Seconds(), perReq(m), m.note)
			if m.wakeErr != nil && probeErr == nil {
				probeErr = m.wakeErr
			}
			if m.intended && m.svcP50 > 0 { // the same run from the actual send time, as the peers measure
				fmt.Fprintf(w, "\t%s\t\t\t\t%s\t%s\t\t\t\t\t\t%s\t\n", m.tool+" (service)", dur(m.svcP50), dur(m.svcP99),
					"latency from actual send")
			}
		}
		if sc := scenarios[si]; sc.rate > 0 {
			fl := medianFloor(sc.floor)
			if fl.err != nil {
				fmt.Fprintf(w, "\tspin floor\t\t\t\t\t\t-\t-\t\t\t\t%v\t\n", fl.err)
			} else {
				fmt.Fprintf(w, "\tspin floor\t\t\t\t\t\t%s\t%s\t\t\t\t%s\t\n", dur0(fl.P50), dur0(fl.P99),
					"a thread that never sleeps, fortio driving the rate")
			}
		}
		if si < len(results)-1 {
			fmt.Fprintln(w, "\t\t\t\t\t\t\t\t\t\t\t\t\t")
		}
	}
	_ = w.Flush()
	fmt.Printf("wake p99: how late a thread sleeping %s at a time woke during the run (the machine's floor for a sender that sleeps)\n", probeInterval)
	fmt.Println("spin floor: how late a thread that never sleeps saw each slot of the rate while fortio ran it (the floor for any sender)")
	if probeErr != nil {
		fmt.Printf("wake probe failed, its column is empty: %v\n", probeErr)
	}
	goals(scenarios, results)
}

// lateDetail is labctl's send lateness, with how late the wake probe woke
// during the same run and the spin floor at that rate.
func lateDetail(l *measurement, fl floorRun) string {
	d := fmt.Sprintf("p50 %s, p99 %s", dur0(l.lateP50), dur0(l.lateP99))
	if l.wakeErr == nil && l.wake.N > 0 {
		d += fmt.Sprintf("; a sleeping thread woke p99 %s, max %s late during the run", dur(l.wake.P99), dur(l.wake.Max))
	}
	if fl.err == nil && fl.N > 0 {
		d += fmt.Sprintf("; a thread that never sleeps was p99 %s late at this rate", dur0(fl.P99))
	}
	return d
}

func perReq(m *measurement) float64 {
	if m.requests == 0 {
		return 0
	}
	return float64(m.cpu.Microseconds()) / m.requests
}

// roundRatios lists labctl's throughput over the peer's round by round
// (the two ran back to back in each round), so a verdict on the medians
// shows how far the rounds spread around it.
func roundRatios(labctl, peer []measurement) string {
	var parts []string
	for i := range min(len(labctl), len(peer)) {
		if labctl[i].err != nil || peer[i].err != nil || peer[i].rps == 0 {
			continue
		}
		parts = append(parts, fmt.Sprintf("%.2fx", labctl[i].rps/peer[i].rps))
	}
	if len(parts) < 2 {
		return ""
	}
	return "; by round " + strings.Join(parts, " ")
}

func ratio(v float64, base *measurement, get func(*measurement) float64) string {
	if base == nil || get(base) == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2fx", v/get(base))
}

// dur0 is dur for a lateness, where 0 is a figure rather than missing.
func dur0(d time.Duration) string {
	if d <= 0 {
		return "0µs"
	}
	return dur(d)
}

func dur(d time.Duration) string {
	switch {
	case d <= 0:
		return "-"
	case d < time.Millisecond:
		return fmt.Sprintf("%.0fµs", float64(d)/1e3)
	}
	return fmt.Sprintf("%.2fms", float64(d)/1e6)
}

// goals checks issue 15 items 7 and 8: at every fixed rate labctl reaches
// the rate, sends each request within 100µs of its intended time at p99, and
// reports a median latency (from the intended time) within 10% of the best
// peer's; at max rate it keeps at least wrk's throughput.
func goals(scenarios []*scenario, results [][]measurement) {
	fmt.Println()
	check := func(name string, ok bool, detail string) {
		status := "PASS"
		if !ok {
			status = "FAIL"
		}
		fmt.Printf("%s  %s: %s\n", status, name, detail)
	}
	for si, ms := range results {
		l := find(ms, "labctl")
		if l == nil {
			continue
		}
		rate := scenarios[si].rate
		if rate == 0 {
			if k := find(ms, "wrk"); k != nil {
				check("max throughput >= 1.0x wrk", l.rps >= k.rps, fmt.Sprintf("%.2fx (%.0f vs %.0f req/s)%s",
					l.rps/k.rps, l.rps, k.rps, roundRatios(scenarios[si].runs["labctl"], scenarios[si].runs["wrk"])))
			}
			if f := find(ms, "fortio"); f != nil {
				check("max throughput vs fortio", l.rps >= f.rps, fmt.Sprintf("%.2fx", l.rps/f.rps))
			}
			continue
		}
		dev := (l.rps - float64(rate)) / float64(rate)
		check(fmt.Sprintf("%d rps: achieved rate within 0.5%%", rate), dev >= -0.005 && dev <= 0.005,
			fmt.Sprintf("%.1f req/s (%+.2f%%)", l.rps, 100*dev))
		check(fmt.Sprintf("%d rps: send lateness p99 <= 100µs", rate), l.lateP99 <= 100*time.Microsecond,
			lateDetail(l, medianFloor(scenarios[si].floor)))
		var best *measurement
		for i := range ms {
			m := &ms[i]
			if m.tool == "labctl" || m.err != nil || m.p50 <= 0 || m.rps < 0.95*float64(rate) {
				continue // a peer that did not hold the rate is no reference
			}
			if best == nil || m.p50 < best.p50 {
				best = m
			}
		}
		if best != nil {
			check(fmt.Sprintf("%d rps: median latency (from intended) within 10%% of the best peer's", rate),
				float64(l.p50) <= 1.10*float64(best.p50),
				fmt.Sprintf("labctl %s vs %s %s (%.2fx)", dur(l.p50), best.tool, dur(best.p50), float64(l.p50)/float64(best.p50)))
		}
	}
}
