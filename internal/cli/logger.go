package cli

import (
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/labctl/labctl/internal/progress"
	"github.com/labctl/labctl/internal/redact"
)

var _ progress.Logger = (*Logger)(nil)

// Logger is the CLI's progress.Logger: it writes leveled messages to a
// writer (stderr in the CLI). Warnings and errors are always shown; V(n)
// messages only when the verbosity is >= n. URL credentials in messages are
// masked (internal/redact).
type Logger struct {
	mu        sync.Mutex
	w         io.Writer
	verbosity int
}

// NewLogger returns a Logger writing to w at the given verbosity.
func NewLogger(w io.Writer, verbosity int) *Logger {
	return &Logger{w: w, verbosity: verbosity}
}

// Verbosity reports the configured verbosity.
func (l *Logger) Verbosity() int { return l.verbosity }

// Warnf prints a warning.
func (l *Logger) Warnf(format string, args ...any) { l.printf("WARNING: "+format, args...) }

// Errorf prints an error line.
func (l *Logger) Errorf(format string, args ...any) { l.printf("ERROR: "+format, args...) }

// V returns a logger that prints only when verbosity >= level.
func (l *Logger) V(level int) progress.InfoLogger {
	return infoLogger{l: l, on: l != nil && l.verbosity >= level}
}

func (l *Logger) printf(format string, args ...any) {
	if l == nil || l.w == nil {
		return
	}
	msg := redact.Text(fmt.Sprintf(format, args...))
	if !strings.HasSuffix(msg, "\n") {
		msg += "\n"
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	_, _ = io.WriteString(l.w, msg)
}

// infoLogger is a verbosity-gated logger.
type infoLogger struct {
	l  *Logger
	on bool
}

// Enabled reports whether messages at this level are printed.
func (i infoLogger) Enabled() bool { return i.on }

// Infof prints when enabled.
func (i infoLogger) Infof(format string, args ...any) {
	if i.on {
		i.l.printf(format, args...)
	}
}
