package loadgen

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/labctl/labctl/internal/redact"
)

// Summary writes the human-readable report of r.
func (r *Result) Summary(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	x := &r.Labctl
	target := redact.URL(r.URL)
	if h := r.AllHeaders().Get("Host"); h != "" {
		target += "  (Host: " + h + ")"
	}
	fmt.Fprintf(tw, "Target\t%s %s\n", r.Method(), target)
	fmt.Fprintf(tw, "Load\t%s\n", r.loadLine())
	fmt.Fprintf(tw, "Result\t%d requests in %s, %.1f req/s%s\n", r.Count(),
		FormatDuration(r.ActualDuration), r.ActualQPS, r.rateNote())
	if r.Count() > 0 {
		h := r.DurationHistogram
		var ps []string
		for _, p := range h.Percentiles {
			ps = append(ps, fmt.Sprintf("p%g %s", p.Percentile, FormatDuration(seconds2d(p.Value))))
		}
		ps = append(ps, "max "+FormatDuration(seconds2d(h.Max)))
		fmt.Fprintf(tw, "Latency\t%s\n", strings.Join(ps, "  "))
		note := "from the intended send time"
		if x.Source == "fortio" {
			note = "measured by fortio from the actual send time"
		}
		fmt.Fprintf(tw, "\tmean %s, %s\n", FormatDuration(seconds2d(h.Avg)), note)
		if sl := x.SendLateness; sl != nil && sl.Count > 0 {
			fmt.Fprintf(tw, "\tsent behind the intended time by p50 %s  p99 %s  max %s\n",
				FormatDuration(HistPercentile(sl, 50)), FormatDuration(HistPercentile(sl, 99)),
				FormatDuration(seconds2d(sl.Max)))
		}
		if st := x.ServiceTime; st != nil && x.Late > 0 && st.Count > 0 {
			fmt.Fprintf(tw, "\tservice time (from actual send) p50 %s  p99 %s\n",
				FormatDuration(HistPercentile(st, 50)), FormatDuration(HistPercentile(st, 99)))
		}
	}
	label := "Codes"
	for _, code := range sortedCodes(r.RetCodes) {
		name := fmt.Sprint(code)
		if code == -1 {
			name = "-1 (no response)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", label, name, r.RetCodes[code], pct(r.RetCodes[code], r.Count()))
		label = ""
	}
	if len(x.Classes) > 0 {
		var total int64
		for _, v := range x.Classes {
			total += v
		}
		label = "Classes"
		for _, k := range slices.Sorted(maps.Keys(x.Classes)) {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", label, k, x.Classes[k], pct(x.Classes[k], total))
			label = ""
		}
		if x.Classifier != "" {
			fmt.Fprintf(tw, "\t(by %s)\n", x.Classifier)
		}
	}
	for i, msg := range x.Warnings {
		label = ""
		if i == 0 {
			label = "Warnings"
		}
		fmt.Fprintf(tw, "%s\t! %s\n", label, msg)
	}
	return tw.Flush()
}

func (r *Result) loadLine() string {
	rate := "max rate"
	if r.RequestedQPS != "max" && r.RequestedQPS != "" {
		rate = r.RequestedQPS + " req/s"
	}
	length := "for " + r.RequestedDuration
	if r.Exactly > 0 {
		length = fmt.Sprintf("exactly %d requests", r.Exactly)
	}
	proto := "HTTP/1.1"
	if r.H2 {
		proto = "h2c"
	}
	return fmt.Sprintf("%s, %s, %d connections, %s", rate, length, r.NumThreads, proto)
}

func (r *Result) rateNote() string {
	if r.Labctl.TargetRPS <= 0 {
		return ""
	}
	return fmt.Sprintf(" (target %g, %.1f%%)", r.Labctl.TargetRPS, 100*r.ActualQPS/r.Labctl.TargetRPS)
}

func pct(n, total int64) string {
	if total == 0 {
		return ""
	}
	return fmt.Sprintf("%.1f%%", 100*float64(n)/float64(total))
}

func seconds2d(s float64) time.Duration { return time.Duration(s * 1e9) }

// FormatDuration prints a latency with three significant digits: 87µs,
// 1.23ms, 45.6ms, 2.35s.
func FormatDuration(d time.Duration) string {
	switch {
	case d <= 0:
		return "0"
	case d < time.Millisecond:
		return sig3(float64(d)/1e3) + "µs"
	case d < time.Second:
		return sig3(float64(d)/1e6) + "ms"
	case d < time.Minute:
		return sig3(d.Seconds()) + "s"
	}
	return d.Round(time.Second).String()
}

func sig3(v float64) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.2f", v)
}
