package progress_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/labctl/labctl/internal/progress"
	"github.com/labctl/labctl/internal/progress/progresstest"
)

// The defaults stand in for nil, so holders never check for nil.
func TestDefaults(t *testing.T) {
	assert.NotNil(t, progress.OrDiscard(nil))
	assert.False(t, progress.OrDiscard(nil).V(0).Enabled())
	progress.OrDiscard(nil).Warnf("dropped %d", 1)
	progress.OrDiscard(nil).V(0).Infof("dropped")
	s := progress.OrNoStatus(nil)
	s.Start("k", "m")
	s.Done("k", "")
	s.Fail("k", "")
	s.Skip("k", "")
	s.Info("x")
	s.Close()

	rec := progresstest.New(0)
	assert.Same(t, rec, progress.OrDiscard(rec))
	assert.Same(t, rec, progress.OrNoStatus(rec))
}

// Slog maps record levels onto V levels: warnings from 1, info from 2,
// debug from 3, with attributes appended.
func TestSlogLevels(t *testing.T) {
	tests := []struct {
		verbosity int
		want      []string
	}{
		{0, nil},
		{1, []string{"warn a=1 k=v"}},
		{2, []string{"warn a=1 k=v", "info a=1"}},
		{3, []string{"warn a=1 k=v", "info a=1", "debug a=1"}},
	}
	for _, tc := range tests {
		rec := progresstest.New(tc.verbosity)
		l := progress.Slog(rec).With("a", 1)
		l.Warn("warn", "k", "v")
		l.Info("info")
		l.Debug("debug")
		assert.Equal(t, tc.want, rec.Lines(), "verbosity %d", tc.verbosity)
	}
	progress.Slog(nil).Error("dropped")
}
