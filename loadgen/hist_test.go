package loadgen

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBucketsRoundTrip(t *testing.T) {
	for _, v := range []int64{0, 1, 63, 64, 65, 127, 128, 1000, 123456789, 1 << 39, 1<<40 - 1} {
		lo, hi := bucketBounds(bucketOf(v))
		assert.True(t, lo <= v && v < hi, "v=%d in [%d,%d)", v, lo, hi)
		if v >= 64 {
			assert.LessOrEqual(t, float64(hi-lo)/float64(lo), 1.0/64+1e-9, "v=%d", v)
		}
	}
	assert.Equal(t, numBuckets-1, bucketOf(1<<62))
}

func TestHistogramQuantiles(t *testing.T) {
	tests := []struct {
		name   string
		values func(i int) time.Duration
		n      int
	}{
		{"uniform 0-10ms", func(i int) time.Duration { return time.Duration(i) * time.Microsecond }, 10000},
		{"random 100us-5s", func(int) time.Duration {
			return 100*time.Microsecond + time.Duration(rand.Int64N(int64(5*time.Second)))
		}, 20000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHistogram()
			var vals []time.Duration
			for i := range tt.n {
				v := tt.values(i)
				vals = append(vals, v)
				h.record(v)
			}
			slices.Sort(vals)
			for _, q := range []float64{0.5, 0.9, 0.99, 0.999} {
				exact := vals[int(q*float64(len(vals)))-1]
				got := h.quantile(q)
				assert.InDelta(t, float64(exact), float64(got), float64(exact)*0.02+1000, "q=%v", q)
			}
			assert.Equal(t, vals[0], h.quantile(0))
			assert.Equal(t, vals[len(vals)-1], h.quantile(1))
		})
	}
}

func TestHistogramMergeExport(t *testing.T) {
	a, b := newHistogram(), newHistogram()
	a.record(time.Millisecond)
	b.record(3 * time.Millisecond)
	b.record(2 * time.Millisecond)
	a.merge(b)
	require.EqualValues(t, 3, a.count)
	assert.Equal(t, 2*time.Millisecond, a.mean())
	d := a.export([]float64{50, 99})
	assert.EqualValues(t, 3, d.Count)
	assert.InDelta(t, 0.001, d.Min, 1e-12)
	assert.InDelta(t, 0.003, d.Max, 1e-12)
	assert.InDelta(t, 100, d.Data[len(d.Data)-1].Percent, 1e-9)
	assert.Len(t, d.Percentiles, 2)
	b.reset()
	assert.EqualValues(t, 0, b.count)
	assert.Equal(t, time.Duration(0), b.quantile(0.5))
}
