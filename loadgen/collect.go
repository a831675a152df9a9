package loadgen

import (
	"time"
)

// Point is one interval of the time series.
type Point struct {
	// T is the end of the interval in seconds since the start.
	T        float64
	Duration float64 // seconds
	Count    int64
	Rate     float64
	Errors   int64
	// Latency percentiles of the interval, in seconds.
	P50, P90, P99, Max float64
	Codes              map[int]int64
	Classes            map[string]int64 `json:",omitempty"`
}

// collector merges the workers' tallies once per interval.
type collector struct {
	start    time.Time
	last     time.Time
	total    *tally
	interval *tally
	series   []Point
	o        *Options
	s        *schedule
}

func newCollector(o *Options, s *schedule) *collector {
	now := time.Now()
	return &collector{start: now, last: now, total: newTally(), interval: newTally(), o: o, s: s}
}

func (c *collector) tick(workers []*worker, now time.Time, final bool) {
	for _, w := range workers {
		w.drain(c.interval, final)
	}
	iv := c.interval
	d := now.Sub(c.last)
	if n := len(c.series); final && n > 0 && d < c.o.Interval/2 {
		// A short tail would show as a spike: fold it into the last point.
		c.series[n-1].fold(iv, now.Sub(c.start), d)
	} else if iv.lat.count > 0 || !final {
		p := Point{
			T:        now.Sub(c.start).Seconds(),
			Duration: d.Seconds(),
			Count:    iv.lat.count,
			Errors:   iv.errLat.count,
			P50:      iv.lat.quantile(0.5).Seconds(),
			P90:      iv.lat.quantile(0.9).Seconds(),
			P99:      iv.lat.quantile(0.99).Seconds(),
			Max:      time.Duration(max(iv.lat.max, 0)).Seconds(),
			Codes:    make(map[int]int64, len(iv.codes)),
		}
		if d > 0 {
			p.Rate = float64(iv.lat.count) / d.Seconds()
		}
		for k, v := range iv.codes {
			p.Codes[k] = v
		}
		if c.o.Classifier != nil {
			p.Classes = make(map[string]int64, len(iv.classes))
			for k, v := range iv.classes {
				p.Classes[classKey(k)] = v
			}
		}
		c.series = append(c.series, p)
	}
	c.total.merge(iv)
	iv.reset()
	c.last = now
	if c.o.Progress != nil && !final {
		c.o.Progress(c.snapshot(now, d, busy(workers)))
	}
}

func (c *collector) snapshot(now time.Time, d time.Duration, inFlight int64) Snapshot {
	el := now.Sub(c.start)
	s := Snapshot{
		Elapsed:   el,
		Requests:  c.total.lat.count,
		Errors:    c.total.errLat.count,
		TargetRPS: c.o.RPS,
		Planned:   c.o.Requests,
		P50:       c.total.lat.quantile(0.5),
		P99:       c.total.lat.quantile(0.99),
		InFlight:  inFlight,
	}
	if c.o.Requests == 0 {
		s.Duration = c.o.Duration
		if c.o.RPS > 0 {
			s.Planned = int64(c.o.RPS * c.o.Duration.Seconds())
		}
	}
	if el > 0 {
		s.Rate = float64(s.Requests) / el.Seconds()
	}
	if n := len(c.series); n > 0 && d > 0 {
		s.IntervalRate = c.series[n-1].Rate
	}
	return s
}

// Unclassified is the class name used in results for responses the
// classifier did not put in any class.
const Unclassified = "(unclassified)"

func classKey(k string) string {
	if k == "" {
		return Unclassified
	}
	return k
}

// fold adds a short final interval's counts to p.
func (p *Point) fold(iv *tally, end, d time.Duration) {
	p.T = end.Seconds()
	p.Duration += d.Seconds()
	p.Count += iv.lat.count
	p.Errors += iv.errLat.count
	if p.Duration > 0 {
		p.Rate = float64(p.Count) / p.Duration
	}
	p.Max = max(p.Max, time.Duration(max(iv.lat.max, 0)).Seconds())
	for k, v := range iv.codes {
		p.Codes[k] += v
	}
	if p.Classes != nil {
		for k, v := range iv.classes {
			p.Classes[classKey(k)] += v
		}
	}
}
