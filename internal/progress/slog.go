package progress

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
)

// Slog adapts l for libraries that want a *slog.Logger (Helm). Warnings and
// errors show from verbosity 1, Info records from 2 and Debug records from
// 3, so a plain run stays quiet.
func Slog(l Logger) *slog.Logger { return slog.New(&slogHandler{l: OrDiscard(l)}) }

type slogHandler struct {
	l     Logger
	attrs []slog.Attr
}

func level(lvl slog.Level) int {
	switch {
	case lvl >= slog.LevelWarn:
		return 1
	case lvl >= slog.LevelInfo:
		return 2
	default:
		return 3
	}
}

func (h *slogHandler) Enabled(_ context.Context, lvl slog.Level) bool {
	return h.l.V(level(lvl)).Enabled()
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
	h.l.V(level(r.Level)).Infof("%s", b.String())
	return nil
}

func (h *slogHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &slogHandler{l: h.l, attrs: append(append([]slog.Attr{}, h.attrs...), attrs...)}
}

func (h *slogHandler) WithGroup(string) slog.Handler { return h }
