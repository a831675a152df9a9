package kind

import (
	"fmt"
	"strings"

	kindlog "sigs.k8s.io/kind/pkg/log"

	"github.com/labctl/labctl/internal/progress"
)

// logAdapter feeds kind's log.Logger calls into the labctl logger. kind's own
// progress lines (V(0): " ✓ Preparing nodes") show from -v 1 on, one level
// below labctl's status lines; kind's V(n) maps to labctl's V(n+1). kind
// returns its errors too, so Error lines are debug output here.
type logAdapter struct{ l progress.Logger }

var _ kindlog.Logger = logAdapter{}

func (a logAdapter) Warn(msg string) { a.l.Warnf("%s", trimWarning(msg)) }

func (a logAdapter) Warnf(format string, args ...any) {
	a.l.Warnf("%s", trimWarning(fmt.Sprintf(format, args...)))
}

func (a logAdapter) Error(msg string) { a.l.V(1).Infof("kind: %s", msg) }

func (a logAdapter) Errorf(format string, args ...any) {
	a.l.V(1).Infof("kind: "+format, args...)
}

func (a logAdapter) V(level kindlog.Level) kindlog.InfoLogger {
	return infoAdapter{a.l.V(int(level) + 1)}
}

// trimWarning drops kind's own "WARNING: " prefix; labctl adds one.
func trimWarning(msg string) string { return strings.TrimPrefix(msg, "WARNING: ") }

type infoAdapter struct{ i progress.InfoLogger }

func (a infoAdapter) Info(msg string) { a.i.Infof("%s", strings.TrimRight(msg, "\n")) }

func (a infoAdapter) Infof(format string, args ...any) {
	a.i.Infof("%s", strings.TrimRight(fmt.Sprintf(format, args...), "\n"))
}

func (a infoAdapter) Enabled() bool { return a.i.Enabled() }
