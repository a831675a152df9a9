// Package progresstest records what a library reports through
// internal/progress, for tests that check its messages.
package progresstest

import (
	"fmt"
	"strings"
	"sync"

	"github.com/labctl/labctl/internal/progress"
)

// Recorder is a progress.Logger and progress.Status that keeps one line per
// message: "WARNING: msg" for warnings, msg for V(n) messages up to
// Verbosity, and " • msg ...", " ✓ msg", " ✗ msg", " • msg" for a task's
// start, done, fail and skip (the start message when msg is empty). Safe for
// concurrent use.
type Recorder struct {
	// Verbosity is the highest V level recorded.
	Verbosity int

	mu    sync.Mutex
	lines []string
	tasks map[string]string
}

var (
	_ progress.Logger = (*Recorder)(nil)
	_ progress.Status = (*Recorder)(nil)
)

// New returns a Recorder at verbosity v.
func New(v int) *Recorder { return &Recorder{Verbosity: v} }

// Lines returns the recorded lines.
func (r *Recorder) Lines() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.lines...)
}

// String returns the recorded lines, each ending in a newline.
func (r *Recorder) String() string {
	var b strings.Builder
	for _, l := range r.Lines() {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return b.String()
}

// Reset forgets the recorded lines.
func (r *Recorder) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lines = nil
}

func (r *Recorder) add(line string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lines = append(r.lines, strings.TrimSuffix(line, "\n"))
}

// Warnf records "WARNING: " and the message.
func (r *Recorder) Warnf(format string, args ...any) {
	r.add("WARNING: " + fmt.Sprintf(format, args...))
}

// V returns the recorder for level n: it records when n <= Verbosity.
func (r *Recorder) V(level int) progress.InfoLogger { return info{r: r, on: level <= r.Verbosity} }

type info struct {
	r  *Recorder
	on bool
}

func (i info) Enabled() bool { return i.on }

func (i info) Infof(format string, args ...any) {
	if i.on {
		i.r.add(fmt.Sprintf(format, args...))
	}
}

// Start records " • msg ...".
func (r *Recorder) Start(key, msg string) {
	r.mu.Lock()
	if r.tasks == nil {
		r.tasks = map[string]string{}
	}
	r.tasks[key] = msg
	r.mu.Unlock()
	r.add(" • " + msg + " ...")
}

// Done records " ✓ msg".
func (r *Recorder) Done(key, msg string) { r.end(key, "✓", msg) }

// Fail records " ✗ msg".
func (r *Recorder) Fail(key, msg string) { r.end(key, "✗", msg) }

// Skip records " • msg".
func (r *Recorder) Skip(key, msg string) { r.end(key, "•", msg) }

// Info records msg as it is.
func (r *Recorder) Info(msg string) { r.add(msg) }

// Close does nothing: a Recorder keeps its lines.
func (r *Recorder) Close() {}

func (r *Recorder) end(key, mark, msg string) {
	r.mu.Lock()
	if msg == "" {
		msg = r.tasks[key]
	}
	delete(r.tasks, key)
	r.mu.Unlock()
	if msg == "" {
		msg = key
	}
	r.add(" " + mark + " " + msg)
}
