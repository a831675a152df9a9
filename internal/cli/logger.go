package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"

	"github.com/labctl/labctl/internal/redact"
)

// Logger writes leveled messages to a writer (stderr in the CLI). Warnings and
// errors are always shown; V(n) messages only when the verbosity is >= n.
// URL credentials in messages are masked (internal/redact).
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

// V returns an InfoLogger that prints only when verbosity >= level.
func (l *Logger) V(level int) InfoLogger {
	return InfoLogger{l: l, on: l != nil && l.verbosity >= level}
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

// InfoLogger is a verbosity-gated logger.
type InfoLogger struct {
	l  *Logger
	on bool
}

// Enabled reports whether messages at this level are printed.
func (i InfoLogger) Enabled() bool { return i.on }

// Infof prints when enabled.
func (i InfoLogger) Infof(format string, args ...any) {
	if i.on {
		i.l.printf(format, args...)
	}
}

// Slog adapts the logger for libraries that want a *slog.Logger (Helm).
// Debug records need verbosity >= 3, Info >= 2; warnings and errors need >= 1,
// so a plain run stays quiet.
func (l *Logger) Slog() *slog.Logger { return slog.New(&slogHandler{l: l}) }

type slogHandler struct {
	l     *Logger
	attrs []slog.Attr
}

func (h *slogHandler) Enabled(_ context.Context, lvl slog.Level) bool {
	if h.l == nil {
		return false
	}
	switch {
	case lvl >= slog.LevelWarn:
		return h.l.verbosity >= 1
	case lvl >= slog.LevelInfo:
		return h.l.verbosity >= 2
	default:
		return h.l.verbosity >= 3
	}
}

func (h *slogHandler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	for _, a := range h.attrs {
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
	}
	r.Attrs(func(a slog.Attr) bool {
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
		return true
	})
	h.l.printf("%s", b.String())
	return nil
}

func (h *slogHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &slogHandler{l: h.l, attrs: append(append([]slog.Attr{}, h.attrs...), attrs...)}
}

func (h *slogHandler) WithGroup(string) slog.Handler { return h }
