package loadgen

import (
	"maps"
	"slices"
	"time"
)

// Sample is one request measured elsewhere (e.g. a line of fortio's access
// log): when it started, how long it took and its status code (-1 for a
// socket error).
type Sample struct {
	Start   time.Time
	Latency time.Duration
	Code    int
}

// FromSamples computes a result (histograms, codes, time series) from
// individual samples, for load generated outside this process. Options
// describe the run as requested; interval defaults to 1s.
func FromSamples(o Options, samples []Sample, interval time.Duration) *Result {
	if interval <= 0 {
		interval = DefaultInterval
	}
	o.Interval, o.Progress = interval, nil
	samples = slices.Clone(samples)
	slices.SortFunc(samples, func(a, b Sample) int { return a.Start.Compare(b.Start) })
	c := &collector{total: newTally(), interval: newTally(), o: &o, s: &schedule{}}
	if len(samples) > 0 {
		c.start = samples[0].Start
	}
	c.last = c.start
	end := c.start
	next := c.start.Add(interval)
	flush := func(at time.Time) {
		c.tick(nil, at, false)
	}
	for _, s := range samples {
		done := s.Start.Add(s.Latency)
		for !s.Start.Before(next) {
			flush(next)
			next = next.Add(interval)
		}
		t := c.interval
		t.lat.record(s.Latency)
		t.svc.record(s.Latency)
		t.codes[s.Code]++
		if s.Code < 200 || s.Code > 299 {
			t.errLat.record(s.Latency)
			if s.Code == -1 {
				t.sockErrs++
			}
		}
		if done.After(end) {
			end = done
		}
	}
	c.tick(nil, end, true)
	r := c.result(&o, nil, end, false, 0)
	r.RetCodes = maps.Clone(c.total.codes)
	return r
}
