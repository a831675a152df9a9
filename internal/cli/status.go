package cli

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/labctl/labctl/internal/progress"
	"github.com/labctl/labctl/internal/redact"
)

var _ progress.Status = (*Status)(nil)

// Status is the CLI's progress.Status: it prints kind-style progress lines
// for several concurrent tasks. Every line it writes has the credentials of
// its URLs masked (internal/redact), so callers may pass any URL.
//
// On a smart terminal one spinner line lists the tasks in flight and each
// finished task is printed above it with ✓, ✗ or •. Elsewhere (CI, pipes,
// NO_COLOR) every start and end is one plain line, so logs stay readable.
type Status struct {
	mu     sync.Mutex
	w      io.Writer
	smart  bool
	active []statusTask
	frame  int
	stop   chan struct{}
	wg     sync.WaitGroup
	now    func() time.Time
}

type statusTask struct {
	key, msg string
	started  time.Time
}

var spinnerFrames = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

// spinnerInterval is how often the spinner line is redrawn.
const spinnerInterval = 100 * time.Millisecond

// NewStatus returns a Status writing to w; smart enables the spinner.
func NewStatus(w io.Writer, smart bool) *Status {
	return &Status{w: w, smart: smart, now: time.Now}
}

// Start announces a task identified by key.
func (s *Status) Start(key, msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	msg = redact.Text(msg)
	s.active = append(s.active, statusTask{key: key, msg: msg, started: s.now()})
	if !s.smart {
		fmt.Fprintf(s.w, " • %s ...\n", msg)
		return
	}
	if s.stop == nil {
		s.stop = make(chan struct{})
		s.wg.Add(1)
		go s.spin(s.stop)
	}
	s.redraw()
}

// Done ends a task successfully; msg replaces the start message when set.
func (s *Status) Done(key, msg string) { s.end(key, "✓", msg) }

// Fail ends a task with a failure mark.
func (s *Status) Fail(key, msg string) { s.end(key, "✗", msg) }

// Skip ends a task that had nothing to do.
func (s *Status) Skip(key, msg string) { s.end(key, "•", msg) }

// Info prints a line that is not tied to a task.
func (s *Status) Info(msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.printLine(redact.Text(msg))
}

// Close stops the spinner and clears its line. Tasks still open are left
// unreported: the caller reports the error that interrupted them.
func (s *Status) Close() {
	s.mu.Lock()
	stop := s.stop
	s.stop = nil
	s.active = nil
	if s.smart {
		fmt.Fprint(s.w, "\r\x1b[K")
	}
	s.mu.Unlock()
	if stop != nil {
		close(stop)
		s.wg.Wait()
	}
}

func (s *Status) end(key, mark, msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, t := range s.active {
		if t.key != key {
			continue
		}
		if msg == "" {
			msg = t.msg
		}
		s.active = append(s.active[:i], s.active[i+1:]...)
		break
	}
	if msg == "" {
		msg = key
	}
	s.printLine(fmt.Sprintf(" %s %s", mark, redact.Text(msg)))
}

// printLine prints a finished line; the caller holds s.mu.
func (s *Status) printLine(line string) {
	if s.smart {
		fmt.Fprint(s.w, "\r\x1b[K")
	}
	fmt.Fprintln(s.w, line)
	if s.smart {
		s.redraw()
	}
}

// redraw draws the spinner line; the caller holds s.mu.
func (s *Status) redraw() {
	if len(s.active) == 0 {
		return
	}
	msgs := make([]string, 0, len(s.active))
	for _, t := range s.active {
		msgs = append(msgs, t.msg)
	}
	fmt.Fprintf(s.w, "\r\x1b[K %s %s", spinnerFrames[s.frame%len(spinnerFrames)], strings.Join(msgs, ", "))
}

func (s *Status) spin(stop <-chan struct{}) {
	defer s.wg.Done()
	t := time.NewTicker(spinnerInterval)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			s.mu.Lock()
			s.frame++
			s.redraw()
			s.mu.Unlock()
		}
	}
}
