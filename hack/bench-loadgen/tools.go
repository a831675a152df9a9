package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

type tool struct {
	name string
	run  func(ctx context.Context, c config, url string, rate int) measurement
}

func tools(c config) []tool {
	var ts []tool
	add := func(name string, prefix []string, f func(context.Context, config, []string, string, int) measurement) {
		ts = append(ts, tool{name: name, run: func(ctx context.Context, c config, url string, rate int) measurement {
			if len(prefix) == 0 {
				return measurement{tool: name, err: errors.New("not installed")}
			}
			m := f(ctx, c, prefix, url, rate)
			m.tool = name
			return m
		}})
	}
	add("labctl", c.labctl, runLabctl)
	add("fortio", c.fortio, runFortio)
	add("vegeta", c.vegeta, runVegeta)
	add("hey", c.hey, runHey)
	add("wrk", c.wrk, runWrk)
	return ts
}

// execute runs a load generator and returns its stdout and CPU time.
func execute(ctx context.Context, c config, argv []string) ([]byte, time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, c.duration+60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var cpu time.Duration
	if cmd.ProcessState != nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		}
	}
	if err != nil {
		tail := errOut.String()
		if len(tail) > 300 {
			tail = tail[len(tail)-300:]
		}
		return out.Bytes(), cpu, fmt.Errorf("%s: %w: %s", filepath.Base(argv[0]), err, strings.TrimSpace(tail))
	}
	return out.Bytes(), cpu, nil
}

// histJSON is a fortio histogram as in fortio's and labctl's JSON.
type histJSON struct {
	Count       float64
	Percentiles []struct{ Percentile, Value float64 }
}

func (h *histJSON) pct(p float64) time.Duration {
	if h == nil {
		return 0
	}
	for _, q := range h.Percentiles {
		if q.Percentile == p {
			return time.Duration(q.Value * 1e9)
		}
	}
	return 0
}

// fortioJSON is the part of fortio's (and labctl's) JSON the table needs.
type fortioJSON struct {
	ActualQPS         float64
	DurationHistogram histJSON
	Labctl            *struct {
		Warnings     []string
		ServiceTime  *histJSON
		SendLateness *histJSON
	}
}

func fromJSON(path string, cpu time.Duration) measurement {
	b, err := os.ReadFile(path)
	if err != nil {
		return measurement{err: err}
	}
	var j fortioJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return measurement{err: fmt.Errorf("%s: %w", path, err)}
	}
	m := measurement{rps: j.ActualQPS, cpu: cpu, requests: j.DurationHistogram.Count,
		p50: j.DurationHistogram.pct(50), p99: j.DurationHistogram.pct(99)}
	if x := j.Labctl; x != nil {
		m.svcP50, m.svcP99 = x.ServiceTime.pct(50), x.ServiceTime.pct(99)
		m.lateP50, m.lateP99 = x.SendLateness.pct(50), x.SendLateness.pct(99)
	}
	return m
}

func runLabctl(ctx context.Context, c config, prefix []string, url string, rate int) measurement {
	file := filepath.Join(c.dir, "labctl.json")
	rps := "max"
	if rate > 0 {
		rps = strconv.Itoa(rate)
	}
	argv := append(append([]string{}, prefix...), url, "--rps", rps, "-c", strconv.Itoa(c.conns),
		"-d", c.duration.String(), "--timeout", "3s", "--json", file)
	_, cpu, err := execute(ctx, c, argv)
	if err != nil {
		return measurement{err: err}
	}
	m := fromJSON(file, cpu)
	if rate > 0 {
		m.intended = true
		m.note = "latency from intended send"
	}
	return m
}

// vegetaReport is the part of `vegeta report -type json` the table needs
// (latencies in ns).
type vegetaReport struct {
	Latencies struct {
		P50 float64 `json:"50th"`
		P99 float64 `json:"99th"`
	} `json:"latencies"`
	Requests   float64 `json:"requests"`
	Throughput float64 `json:"throughput"`
}

// runVegeta attacks with a fixed worker and connection count (like the
// others' 16 connections); rate 0 is vegeta's as-fast-as-possible.
// Its latency is from the actual send time (when a worker takes the tick).
func runVegeta(ctx context.Context, c config, prefix []string, url string, rate int) measurement {
	bin := filepath.Join(c.dir, "vegeta.bin")
	conns := strconv.Itoa(c.conns)
	argv := append(append([]string{}, prefix...), "attack", "-targets", filepath.Join(c.dir, "vegeta.targets"),
		"-rate", strconv.Itoa(rate)+"/1s", "-duration", c.duration.String(), "-workers", conns, "-max-workers", conns,
		"-max-connections", conns, "-connections", conns, "-timeout", "3s", "-output", bin)
	if err := os.WriteFile(filepath.Join(c.dir, "vegeta.targets"), []byte("GET "+url+"\n"), 0o600); err != nil {
		return measurement{err: err}
	}
	_, cpu, err := execute(ctx, c, argv)
	if err != nil {
		return measurement{err: err}
	}
	out, _, err := execute(ctx, c, append(append([]string{}, prefix...), "report", "-type", "json", bin))
	if err != nil {
		return measurement{err: err}
	}
	var r vegetaReport
	if err := json.Unmarshal(out, &r); err != nil {
		return measurement{err: fmt.Errorf("vegeta report: %w", err)}
	}
	return measurement{rps: r.Throughput, cpu: cpu, requests: r.Requests, note: "latency from actual send",
		p50: time.Duration(r.Latencies.P50), p99: time.Duration(r.Latencies.P99)}
}

func runFortio(ctx context.Context, c config, prefix []string, url string, rate int) measurement {
	file := filepath.Join(c.dir, "fortio.json")
	argv := append(append([]string{}, prefix...), "load", "-qps", strconv.Itoa(rate), "-c", strconv.Itoa(c.conns),
		"-t", c.duration.String(), "-p", "50,99", "-r", "0.00001", "-json", file, url)
	_, cpu, err := execute(ctx, c, argv)
	if err != nil {
		return measurement{err: err}
	}
	m := fromJSON(file, cpu)
	m.note = "latency from actual send"
	return m
}

var (
	heyRPS    = regexp.MustCompile(`Requests/sec:\s+([\d.]+)`)
	heyPct    = regexp.MustCompile(`(?m)^\s+(50|99)%+ in ([\d.]+) secs`)
	heyCodes  = regexp.MustCompile(`(?m)^\s+\[\d+\]\s+(\d+) responses`)
	wrkRPS    = regexp.MustCompile(`Requests/sec:\s+([\d.]+)`)
	wrkPct    = regexp.MustCompile(`(?m)^\s+(50|99)%\s+([\d.]+)(us|ms|s)`)
	wrkCount  = regexp.MustCompile(`(\d+) requests in`)
	secondsOf = map[string]float64{"us": 1e-6, "ms": 1e-3, "s": 1}
)

func runHey(ctx context.Context, c config, prefix []string, url string, rate int) measurement {
	argv := append(append([]string{}, prefix...), "-z", c.duration.String(), "-c", strconv.Itoa(c.conns))
	note := ""
	if rate > 0 {
		argv = append(argv, "-q", strconv.FormatFloat(float64(rate)/float64(c.conns), 'f', -1, 64))
		note = "-q per worker"
	}
	out, cpu, err := execute(ctx, c, append(argv, url))
	if err != nil {
		return measurement{err: err}
	}
	m := measurement{cpu: cpu, note: note}
	if s := heyRPS.FindSubmatch(out); s != nil {
		m.rps, _ = strconv.ParseFloat(string(s[1]), 64)
	}
	for _, s := range heyPct.FindAllSubmatch(out, -1) {
		v, _ := strconv.ParseFloat(string(s[2]), 64)
		setPct(&m, string(s[1]), v)
	}
	for _, s := range heyCodes.FindAllSubmatch(out, -1) {
		n, _ := strconv.ParseFloat(string(s[1]), 64)
		m.requests += n
	}
	return m
}

func runWrk(ctx context.Context, c config, prefix []string, url string, rate int) measurement {
	argv := append(append([]string{}, prefix...), "-t", "2", "-c", strconv.Itoa(c.conns), "-d", c.duration.String(), "--latency")
	note := ""
	if rate > 0 {
		script := filepath.Join(c.dir, "pace.lua")
		// wrk has no rate option: each connection waits this long after every
		// response (closed model, so it falls a little short of the rate).
		lua := fmt.Sprintf("function delay() return %d end\n", c.conns*1000/rate)
		if err := os.WriteFile(script, []byte(lua), 0o644); err != nil {
			return measurement{err: err}
		}
		argv = append(argv, "-s", script)
		note = "approx: Lua delay()"
	}
	out, cpu, err := execute(ctx, c, append(argv, url))
	if err != nil {
		return measurement{err: err}
	}
	m := measurement{cpu: cpu, note: note}
	if s := wrkRPS.FindSubmatch(out); s != nil {
		m.rps, _ = strconv.ParseFloat(string(s[1]), 64)
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if s := wrkPct.FindStringSubmatch(sc.Text()); s != nil {
			v, _ := strconv.ParseFloat(s[2], 64)
			setPct(&m, s[1], v*secondsOf[s[3]])
		}
	}
	if s := wrkCount.FindSubmatch(out); s != nil {
		m.requests, _ = strconv.ParseFloat(string(s[1]), 64)
	}
	return m
}

func setPct(m *measurement, p string, seconds float64) {
	d := time.Duration(seconds * 1e9)
	if p == "50" {
		m.p50 = d
	} else {
		m.p99 = d
	}
}
