package loadgen

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestProgressPrinter(t *testing.T) {
	snap := func(sec int) Snapshot {
		return Snapshot{Elapsed: time.Duration(sec) * time.Second, Requests: int64(20 * sec), Errors: 1, IntervalRate: 20,
			TargetRPS: 20, Planned: 600, Duration: 30 * time.Second, P50: 12 * time.Millisecond, P99: 45 * time.Millisecond}
	}
	tests := []struct {
		name  string
		smart bool
		want  []string
		lines int
	}{
		{"ci: a plain line every 5s", false, []string{"   1.0s/30s  20 req/600  20.0 req/s (target 20)  errors 1 (5.0%)  p50 12.0ms  p99 45.0ms\n", "   6.0s/30s"}, 2},
		{"terminal: one line rewritten", true, []string{"\r\x1b[2K", "\r\x1b[2K  10.0s/30s  200 req/600"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			p := NewProgress(&b, tt.smart, 0)
			for sec := 1; sec <= 10; sec++ {
				p.Update(snap(sec))
			}
			p.Done()
			for _, w := range tt.want {
				assert.Contains(t, b.String(), w)
			}
			assert.Equal(t, tt.lines, strings.Count(b.String(), "\n"), b.String())
		})
	}
}
