package loadgen

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// Progress renders Snapshots for a person watching the run.
type Progress struct {
	mu    sync.Mutex
	w     io.Writer
	smart bool
	every time.Duration
	last  time.Duration
	drawn bool
}

// NewProgress writes progress to w (stderr): on a smart terminal one status
// line rewritten in place every interval; otherwise a plain line at most
// every `every` (5s when 0), which reads well in CI logs.
func NewProgress(w io.Writer, smart bool, every time.Duration) *Progress {
	if every <= 0 {
		every = 5 * time.Second
	}
	return &Progress{w: w, smart: smart, every: every}
}

// Update is an Options.Progress function.
func (p *Progress) Update(s Snapshot) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.smart {
		fmt.Fprintf(p.w, "\r\033[2K%s", ProgressLine(s))
		p.drawn = true
		return
	}
	if p.last != 0 && s.Elapsed-p.last < p.every-time.Millisecond*50 {
		return
	}
	p.last = s.Elapsed
	fmt.Fprintln(p.w, ProgressLine(s))
}

// Done clears the status line on a smart terminal.
func (p *Progress) Done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.smart && p.drawn {
		fmt.Fprint(p.w, "\r\033[2K")
		p.drawn = false
	}
}

// ProgressLine formats one progress line.
func ProgressLine(s Snapshot) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%6.1fs", s.Elapsed.Seconds())
	if s.Duration > 0 {
		fmt.Fprintf(&b, "/%s", s.Duration)
	}
	fmt.Fprintf(&b, "  %d req", s.Requests)
	if s.Planned > 0 {
		fmt.Fprintf(&b, "/%d", s.Planned)
	}
	fmt.Fprintf(&b, "  %.1f req/s", s.IntervalRate)
	if s.TargetRPS > 0 {
		fmt.Fprintf(&b, " (target %g)", s.TargetRPS)
	}
	errPct := 0.0
	if s.Requests > 0 {
		errPct = 100 * float64(s.Errors) / float64(s.Requests)
	}
	fmt.Fprintf(&b, "  errors %d (%.1f%%)  p50 %s  p99 %s", s.Errors, errPct, FormatDuration(s.P50), FormatDuration(s.P99))
	return b.String()
}
