package loadgen

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"time"

	"fortio.org/fortio/fhttp"
	"fortio.org/fortio/periodic"
	"fortio.org/fortio/stats"

	"github.com/labctl/labctl/internal/redact"
)

// Result of a run. The embedded fortio results carry fortio's JSON field
// names (RetCodes, DurationHistogram, ActualQPS, ...) so fortio's report UI
// can read the JSON; what fortio has no field for is under "Labctl".
type Result struct {
	fhttp.HTTPRunnerResults
	Labctl Extra
}

// Extra is the part of the results fortio has no fields for.
type Extra struct {
	TargetRPS  float64 `json:",omitempty"` // 0 = max
	Classifier string  `json:",omitempty"`
	// Classes counts responses per class (Unclassified for the rest).
	Classes map[string]int64 `json:",omitempty"`
	// Timeouts and SocketErrors split fortio's -1 "code".
	Timeouts     int64
	SocketErrors int64
	FirstError   string `json:",omitempty"`
	// Late counts requests sent more than a millisecond (or one interval at
	// low rates) after their intended time because every connection was busy.
	Late int64
	// ServiceTime is latency from the actual send time; DurationHistogram is
	// from the intended send time (they differ when requests queue).
	ServiceTime *stats.HistogramData `json:",omitempty"`
	// SendLateness is how far behind its intended time each request left
	// (fixed rate only): the scheduler's own error, which latency from the
	// intended time includes.
	SendLateness *stats.HistogramData `json:",omitempty"`
	Interrupted  bool                 `json:",omitempty"`
	// InFlight is how many requests were still in flight when an
	// interrupted run was reported (not counted anywhere else).
	InFlight int64    `json:",omitempty"`
	Warnings []string `json:",omitempty"`
	// Interval of Series in seconds.
	Interval float64
	Series   []Point
	// Source is "labctl" for local runs, "fortio" for results read from fortio.
	Source string `json:",omitempty"`
}

// Share returns the fraction (0..1) of classified responses in class.
func (r *Result) Share(class string) float64 {
	var total int64
	for _, v := range r.Labctl.Classes {
		total += v
	}
	if total == 0 {
		return 0
	}
	return float64(r.Labctl.Classes[class]) / float64(total)
}

// Count is the number of requests measured.
func (r *Result) Count() int64 {
	if r.DurationHistogram == nil {
		return 0
	}
	return r.DurationHistogram.Count
}

// Percentile returns the latency at percentile p (e.g. 99) from the results.
func (r *Result) Percentile(p float64) time.Duration {
	return HistPercentile(r.DurationHistogram, p)
}

// HistPercentile returns percentile p of h: the exact value when h lists
// it (labctl's histograms list Percentiles()), else fortio's estimate from
// the buckets; 0 for no data.
func HistPercentile(h *stats.HistogramData, p float64) time.Duration {
	if h == nil || h.Count == 0 {
		return 0
	}
	for _, q := range h.Percentiles {
		if q.Percentile == p {
			return time.Duration(q.Value * 1e9)
		}
	}
	return time.Duration(h.CalcPercentile(p) * 1e9)
}

// WriteJSON writes the result as indented JSON.
func (r *Result) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// ReadJSON reads a result written by WriteJSON or by `fortio load -json`.
func ReadJSON(rd io.Reader) (*Result, error) {
	var r Result
	if err := json.NewDecoder(rd).Decode(&r); err != nil {
		return nil, fmt.Errorf("read load results: %w", err)
	}
	if r.DurationHistogram == nil {
		return nil, fmt.Errorf("read load results: no DurationHistogram; is this a fortio or labctl load result?")
	}
	if r.Labctl.Source == "" {
		r.Labctl.Source = "fortio"
	}
	r.URL = redact.URL(r.URL)
	return &r, nil
}

func (c *collector) result(o *Options, workers []*worker, end time.Time, interrupted bool, inFlight int64) *Result {
	t := c.total
	elapsed := end.Sub(c.start) // what the clock says, never adjusted
	rateSpan := elapsed
	if o.RPS > 0 && o.Requests > 0 && !interrupted {
		// n requests on schedule span n intervals (the last one included),
		// not n-1: the rate is counted over at least that. This changes the
		// rate by at most one interval's worth, never the elapsed time.
		rateSpan = max(elapsed, time.Duration(float64(t.lat.count)*float64(time.Second)/o.RPS))
	}
	r := &Result{}
	ho, _ := httpOptions(o) // validated when the run started
	if ho != nil {
		r.HTTPOptions = *ho
	}
	r.URL = redact.URL(o.URL) // reports never carry credentials
	r.RunnerResults = periodic.RunnerResults{
		RunType:                 "HTTP",
		Labels:                  o.Labels,
		StartTime:               c.start,
		RequestedQPS:            "max",
		RequestedDuration:       o.Duration.String(),
		ActualDuration:          elapsed,
		NumThreads:              o.Concurrency,
		Version:                 "labctl-loadgen",
		DurationHistogram:       t.lat.export(Percentiles()),
		ErrorsDurationHistogram: t.errLat.export(Percentiles()),
		Exactly:                 o.Requests,
		ID:                      c.start.Format("2006-01-02-150405"),
	}
	if o.RPS > 0 {
		r.RequestedQPS = strconv.FormatFloat(o.RPS, 'f', -1, 64)
	}
	if o.Requests > 0 {
		r.RequestedDuration = fmt.Sprintf("exactly %d calls", o.Requests)
	}
	if rateSpan > 0 {
		r.ActualQPS = float64(t.lat.count) / rateSpan.Seconds()
	}
	r.RetCodes = maps.Clone(t.codes)
	r.Sizes = &stats.HistogramData{Count: t.lat.count, Sum: float64(t.sizes)}
	if t.lat.count > 0 {
		r.Sizes.Avg = float64(t.sizes) / float64(t.lat.count)
	}
	for _, w := range workers {
		w.mu.Lock()
		if w.exited {
			r.SocketCount += w.sockets
		}
		w.mu.Unlock()
	}
	x := &r.Labctl
	x.Source = "labctl"
	x.TargetRPS = o.RPS
	x.Classifier = o.ClassifierName
	if o.Classifier != nil {
		x.Classes = map[string]int64{}
		for k, v := range t.classes {
			x.Classes[classKey(k)] = v
		}
	}
	x.Timeouts, x.SocketErrors, x.Late = t.timeouts, t.sockErrs, t.late
	x.ServiceTime = t.svc.export(Percentiles())
	if o.RPS > 0 && t.lateness.count > 0 {
		x.SendLateness = t.lateness.export(Percentiles())
	}
	x.Interrupted, x.Interval, x.Series = interrupted, o.Interval.Seconds(), c.series
	if interrupted {
		x.InFlight = inFlight
	}
	if t.sockErrs > 0 && workers != nil { // local run: find out why connections failed
		x.FirstError = probeError(o.URL, o.Timeout)
	}
	x.Warnings = warnings(o, r, t)
	return r
}

func warnings(o *Options, r *Result, t *tally) []string {
	var ws []string
	n := t.lat.count
	if r.Labctl.Interrupted {
		ws = append(ws, fmt.Sprintf("interrupted after %s: partial results of %d requests; %d requests in flight were not counted",
			r.ActualDuration.Round(time.Millisecond), n, r.Labctl.InFlight))
	}
	if o.RPS > 0 && !r.Labctl.Interrupted && r.ActualQPS < 0.995*o.RPS {
		w := fmt.Sprintf("target rate %s/s NOT reached: achieved %.1f/s (%.1f%%)",
			r.RequestedQPS, r.ActualQPS, 100*r.ActualQPS/o.RPS)
		if t.late > 0 && n > 0 {
			need := int(math.Ceil(o.RPS * t.svc.mean().Seconds() * 1.5))
			w += fmt.Sprintf("; %.1f%% of requests were sent late, waiting for a free connection (latency includes the wait). "+
				"Raise --concurrency (about %d for the measured service time of %s) or lower --rps",
				100*float64(t.late)/float64(n), max(need, o.Concurrency+1), t.svc.mean().Round(time.Microsecond))
		}
		ws = append(ws, w)
	} else if o.RPS > 0 && n > 0 && float64(t.late) > 0.01*float64(n) {
		ws = append(ws, fmt.Sprintf("%.1f%% of requests were sent more than %s behind schedule (all %d connections busy, "+
			"or the load generator short of CPU); their latency includes the wait",
			100*float64(t.late)/float64(n), o.lateAfter(), o.Concurrency))
	}
	if t.timeouts > 0 {
		ws = append(ws, fmt.Sprintf("%d requests timed out after %s (--timeout)", t.timeouts, o.Timeout))
	}
	if t.sockErrs > 0 {
		w := fmt.Sprintf("%d requests failed without an HTTP response", t.sockErrs)
		if r.Labctl.FirstError != "" {
			w += ": " + r.Labctl.FirstError
		}
		ws = append(ws, w)
	}
	if n == 0 && !r.Labctl.Interrupted {
		ws = append(ws, "no request completed")
	}
	return ws
}

// sortedCodes returns the status codes of m in ascending order.
func sortedCodes(m map[int]int64) []int {
	return slices.Sorted(maps.Keys(m))
}
