package loadgen

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestScheduleSlots(t *testing.T) {
	start := time.Unix(0, 0)
	ms := time.Millisecond
	tests := []struct {
		name string
		o    Options
		now  []time.Duration // the clock at each call (default: start)
		want []time.Duration // intended offsets of the first slots; -1 = run over
	}{
		{"100/s", Options{RPS: 100, Concurrency: 4}, nil, []time.Duration{0, 10 * ms, 20 * ms, 30 * ms}},
		{"2000/s: each request its own time", Options{RPS: 2000, Concurrency: 16}, nil,
			[]time.Duration{0, 500 * time.Microsecond, ms, 1500 * time.Microsecond}},
		{"request limit", Options{RPS: 100, Concurrency: 1, Requests: 2}, nil, []time.Duration{0, 10 * ms, -1}},
		{"duration end", Options{RPS: 100, Concurrency: 1, Duration: 25 * ms}, nil, []time.Duration{0, 10 * ms, 20 * ms, -1}},
		{"late past the duration: no more requests", Options{RPS: 100, Concurrency: 1, Duration: 25 * ms},
			[]time.Duration{0, 30 * ms}, []time.Duration{0, -1}},
		{"max rate ends with the duration", Options{Concurrency: 1, Duration: 25 * ms},
			[]time.Duration{0, 24 * ms, 25 * ms}, []time.Duration{0, 24 * ms, -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := tt.o
			o.URL = "http://x"
			if o.Duration == 0 && o.Requests == 0 {
				o.Duration = time.Hour
			}
			if err := o.normalize(); err != nil {
				t.Fatal(err)
			}
			s := &schedule{start: start, limit: o.Requests}
			if o.RPS > 0 {
				s.perReq = float64(time.Second) / o.RPS
			}
			if o.Requests == 0 {
				s.end = start.Add(o.Duration)
			}
			for i, want := range tt.want {
				now := start
				if i < len(tt.now) {
					now = start.Add(tt.now[i])
				}
				got, ok := s.slot(now)
				if want < 0 {
					assert.False(t, ok, "slot %d", i)
					continue
				}
				assert.True(t, ok, "slot %d", i)
				assert.Equal(t, want, got.Sub(start), "slot %d", i)
			}
		})
	}
}
