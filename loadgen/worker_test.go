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
		want []time.Duration // intended offsets of the first slots; -1 = run over
	}{
		{"smooth 100/s", Options{RPS: 100, Concurrency: 4}, []time.Duration{0, 10 * ms, 20 * ms, 30 * ms}},
		{"grouped 400/s", Options{RPS: 400, Concurrency: 8}, []time.Duration{0, 0, 0, 0, 10 * ms, 10 * ms}},
		{"group capped by connections", Options{RPS: 1000, Concurrency: 2}, []time.Duration{0, 0, 2 * ms, 2 * ms}},
		{"forced smooth", Options{RPS: 400, Concurrency: 8, Tick: -1}, []time.Duration{0, 2500 * time.Microsecond}},
		{"request limit", Options{RPS: 100, Concurrency: 1, Requests: 2}, []time.Duration{0, 10 * ms, -1}},
		{"duration end", Options{RPS: 100, Concurrency: 1, Duration: 25 * ms}, []time.Duration{0, 10 * ms, 20 * ms, -1}},
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
			s := &schedule{start: start, perReq: float64(time.Second) / o.RPS, group: o.group(), limit: o.Requests}
			if o.Requests == 0 {
				s.end = start.Add(o.Duration)
			}
			for i, want := range tt.want {
				got, ok := s.slot(start)
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
