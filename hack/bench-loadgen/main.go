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
	"strings"
	"text/tabwriter"
	"time"
)

type config struct {
	labctl, fortio, hey, wrk []string // command prefixes; empty = tool missing
	duration                 time.Duration
	conns                    int
	rate                     int
	rounds                   int
	dir                      string
}

// measurement is one tool's run.
type measurement struct {
	tool     string
	rps      float64
	p50, p99 time.Duration
	cpu      time.Duration // user + system
	requests float64
	note     string
	err      error
}

func main() {
	var c config
	var labctl, fortio, hey, wrk string
	flag.StringVar(&labctl, "labctl", "", `command for labctl load, e.g. "bin/labctl load"`)
	flag.StringVar(&fortio, "fortio", "", "fortio binary")
	flag.StringVar(&hey, "hey", "", "hey binary")
	flag.StringVar(&wrk, "wrk", "", "wrk binary")
	flag.DurationVar(&c.duration, "duration", 10*time.Second, "duration of each run")
	flag.IntVar(&c.conns, "c", 16, "connections")
	flag.IntVar(&c.rate, "rate", 2000, "fixed rate for scenario (b)")
	flag.IntVar(&c.rounds, "rounds", 3, "rounds per scenario (median reported)")
	flag.Parse()
	c.labctl, c.fortio, c.hey, c.wrk = strings.Fields(labctl), strings.Fields(fortio), strings.Fields(hey), strings.Fields(wrk)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, c); err != nil {
		fmt.Fprintln(os.Stderr, "bench-loadgen:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, c config) error {
	dir, err := os.MkdirTemp("", "bench-loadgen")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	c.dir = dir
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

	maxRuns := map[string][]measurement{}
	rateRuns := map[string][]measurement{}
	for round := range c.rounds {
		for _, t := range tools(c) {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			fmt.Fprintf(os.Stderr, "round %d: %s max ...\n", round+1, t.name)
			maxRuns[t.name] = append(maxRuns[t.name], t.run(ctx, c, url, 0))
			fmt.Fprintf(os.Stderr, "round %d: %s %d rps ...\n", round+1, t.name, c.rate)
			rateRuns[t.name] = append(rateRuns[t.name], t.run(ctx, c, url, c.rate))
		}
	}
	var maxM, rateM []measurement
	for _, t := range tools(c) {
		maxM = append(maxM, median(maxRuns[t.name]))
		rateM = append(rateM, median(rateRuns[t.name]))
	}
	printTable(c, maxM, rateM)
	return nil
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

func printTable(c config, maxM, rateM []measurement) {
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "scenario\ttool\treq/s\tvs fortio\tvs wrk\tp50\tp99\tCPU s\tCPU µs/req\tCPU/req vs fortio\tnote\t")
	section := func(name string, ms []measurement) {
		f, k := find(ms, "fortio"), find(ms, "wrk")
		for i := range ms {
			m := &ms[i]
			label := ""
			if i == 0 {
				label = name
			}
			if m.err != nil {
				fmt.Fprintf(w, "%s\t%s\t-\t-\t-\t-\t-\t-\t-\t-\t%v\t\n", label, m.tool, m.err)
				continue
			}
			fmt.Fprintf(w, "%s\t%s\t%.0f\t%s\t%s\t%s\t%s\t%.2f\t%.1f\t%s\t%s\t\n", label, m.tool, m.rps,
				ratio(m.rps, f, func(x *measurement) float64 { return x.rps }),
				ratio(m.rps, k, func(x *measurement) float64 { return x.rps }),
				dur(m.p50), dur(m.p99), m.cpu.Seconds(), perReq(m),
				ratio(perReq(m), f, perReq), m.note)
		}
	}
	section("(a) max, "+fmt.Sprint(c.conns)+" conns", maxM)
	fmt.Fprintln(w, "\t\t\t\t\t\t\t\t\t\t\t")
	section(fmt.Sprintf("(b) %d rps, %d conns", c.rate, c.conns), rateM)
	_ = w.Flush()
	goals(c, maxM, rateM)
}

func perReq(m *measurement) float64 {
	if m.requests == 0 {
		return 0
	}
	return float64(m.cpu.Microseconds()) / m.requests
}

func ratio(v float64, base *measurement, get func(*measurement) float64) string {
	if base == nil || get(base) == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2fx", v/get(base))
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

func goals(c config, maxM, rateM []measurement) {
	l, f := find(maxM, "labctl"), find(maxM, "fortio")
	lr, fr := find(rateM, "labctl"), find(rateM, "fortio")
	fmt.Println()
	check := func(name string, ok bool, detail string) {
		status := "PASS"
		if !ok {
			status = "FAIL"
		}
		fmt.Printf("%s  %s: %s\n", status, name, detail)
	}
	if l != nil && f != nil {
		check("max throughput >= 0.95x fortio", l.rps >= 0.95*f.rps, fmt.Sprintf("%.2fx", l.rps/f.rps))
	}
	if lr != nil {
		dev := (lr.rps - float64(c.rate)) / float64(c.rate)
		check(fmt.Sprintf("achieved rate within 0.5%% of %d", c.rate), dev >= -0.005 && dev <= 0.005,
			fmt.Sprintf("%.1f req/s (%+.2f%%)", lr.rps, 100*dev))
	}
	if lr != nil && fr != nil {
		check("CPU per request at fixed rate <= fortio's", perReq(lr) <= perReq(fr),
			fmt.Sprintf("%.1f vs %.1f µs/req", perReq(lr), perReq(fr)))
	}
}
