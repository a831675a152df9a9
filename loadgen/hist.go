package loadgen

import (
	"math"
	"math/bits"
	"time"

	"fortio.org/fortio/stats"
)

// Latency histogram: log-linear buckets over nanoseconds with 64 sub-buckets
// per power of two (under 1.6% relative error) from 1ns to about 18 minutes.
// Recording is a few integer operations and never allocates, so workers can
// record every request.
const (
	subBits    = 6
	subCount   = 1 << subBits
	maxExp     = 40 // values ≥ 2^40 ns (~18 min) share the last bucket
	numBuckets = (maxExp - subBits + 2) * subCount
)

type histogram struct {
	counts   []int64
	count    int64
	sum      int64 // ns
	min, max int64 // ns
}

func newHistogram() *histogram {
	return &histogram{counts: make([]int64, numBuckets), min: math.MaxInt64}
}

func bucketOf(v int64) int {
	if v < subCount {
		if v < 0 {
			return 0
		}
		return int(v)
	}
	e := bits.Len64(uint64(v)) - subBits - 1
	if e > maxExp-subBits {
		return numBuckets - 1
	}
	return (e+1)*subCount + int(v>>uint(e)) - subCount
}

// bucketBounds returns [lo, hi) of bucket i in ns.
func bucketBounds(i int) (lo, hi int64) {
	if i < subCount {
		return int64(i), int64(i) + 1
	}
	e := i/subCount - 1
	m := int64(i%subCount + subCount)
	return m << uint(e), (m + 1) << uint(e)
}

func (h *histogram) record(d time.Duration) {
	v := int64(d)
	h.counts[bucketOf(v)]++
	h.count++
	h.sum += v
	if v < h.min {
		h.min = v
	}
	if v > h.max {
		h.max = v
	}
}

func (h *histogram) merge(o *histogram) {
	if o.count == 0 {
		return
	}
	for i, c := range o.counts {
		if c != 0 {
			h.counts[i] += c
		}
	}
	h.count += o.count
	h.sum += o.sum
	h.min = min(h.min, o.min)
	h.max = max(h.max, o.max)
}

func (h *histogram) reset() {
	if h.count == 0 {
		return
	}
	clear(h.counts)
	h.count, h.sum, h.min, h.max = 0, 0, math.MaxInt64, 0
}

// quantile returns the q-th quantile (0..1), interpolated linearly inside its
// bucket and clamped to the observed min and max.
func (h *histogram) quantile(q float64) time.Duration {
	if h.count == 0 {
		return 0
	}
	rank := q * float64(h.count)
	var seen float64
	for i, c := range h.counts {
		if c == 0 {
			continue
		}
		if seen+float64(c) >= rank {
			lo, hi := bucketBounds(i)
			lo, hi = max(lo, h.min), min(hi, h.max+1)
			frac := (rank - seen) / float64(c)
			v := float64(lo) + frac*float64(hi-lo)
			return time.Duration(min(max(int64(v), h.min), h.max))
		}
		seen += float64(c)
	}
	return time.Duration(h.max)
}

func (h *histogram) mean() time.Duration {
	if h.count == 0 {
		return 0
	}
	return time.Duration(h.sum / h.count)
}

// export converts to fortio's histogram data (seconds). The buckets are
// fortio's own (its stats.Histogram with a resolution that fits the maximum),
// so fortio's report UI draws them as it draws its own; count, min, max, sum,
// mean and the percentiles are this histogram's exact values.
func (h *histogram) export(percentiles []float64) *stats.HistogramData {
	if h.count == 0 {
		return &stats.HistogramData{}
	}
	div := 1e-5 // fortio's buckets reach 100000 × the divider
	for div*100000 < seconds(h.max) && div < 1 {
		div *= 10
	}
	fh := stats.NewHistogram(0, div)
	for i, c := range h.counts {
		if c == 0 {
			continue
		}
		lo, hi := bucketBounds(i)
		lo, hi = max(lo, h.min), min(hi, h.max)
		fh.RecordN((seconds(lo)+seconds(hi))/2, int(c))
	}
	d := fh.Export()
	d.Min, d.Max = seconds(h.min), seconds(h.max)
	d.Sum, d.Avg = seconds(h.sum), seconds(h.sum)/float64(h.count)
	if n := len(d.Data); n > 0 {
		d.Data[0].Start, d.Data[n-1].End = d.Min, d.Max
	}
	for _, p := range percentiles {
		d.Percentiles = append(d.Percentiles, stats.Percentile{Percentile: p, Value: h.quantile(p / 100).Seconds()})
	}
	return d
}

func seconds(ns int64) float64 { return float64(ns) / 1e9 }
