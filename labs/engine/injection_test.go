package engine

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/labctl/labctl/labs"
)

func TestInjects(t *testing.T) {
	for _, tt := range []struct {
		labels map[string]string
		want   bool
	}{
		{nil, false},
		{map[string]string{injectionLabel: "enabled"}, true},
		{map[string]string{injectionLabel: "disabled"}, false},
		{map[string]string{revisionLabel: "canary"}, true},
		{map[string]string{revisionLabel: "canary", injectionLabel: "disabled"}, false},
		{map[string]string{"istio.io/dataplane-mode": "ambient"}, false},
	} {
		require.Equal(t, tt.want, injects(tt.labels), "%v", tt.labels)
	}
}

// A restart of a namespace's Deployments records the injection labels
// of that moment; later label actions do not change the record, and a
// restart of some workloads only does not make one.
func TestDesiredRecordsInjectionAtRestart(t *testing.T) {
	enabled, rev := "enabled", "canary"
	for _, tt := range []struct {
		name string
		acts []labs.Action
		want map[string]map[string]*string
	}{
		{"no restart", []labs.Action{{Label: &labs.LabelAction{Namespace: "a", Labels: map[string]string{injectionLabel: enabled}}}},
			map[string]map[string]*string{}},
		{"unlabel, restart, label", []labs.Action{
			{Unlabel: &labs.UnlabelAction{Namespace: "a", Keys: []string{injectionLabel}}},
			{RolloutRestart: &labs.RolloutRestartAction{Namespace: "a"}},
			{Label: &labs.LabelAction{Namespace: "a", Labels: map[string]string{injectionLabel: enabled}}},
		}, map[string]map[string]*string{"a": {injectionLabel: nil}}},
		{"restart as found", []labs.Action{{RolloutRestart: &labs.RolloutRestartAction{Namespace: "a"}}},
			map[string]map[string]*string{"a": {}}},
		{"one workload only", []labs.Action{
			{Label: &labs.LabelAction{Namespace: "a", Labels: map[string]string{revisionLabel: rev}}},
			{RolloutRestart: &labs.RolloutRestartAction{Namespace: "a", Name: "web"}},
		}, map[string]map[string]*string{}},
		{"label, restart", []labs.Action{
			{Label: &labs.LabelAction{Namespace: "a", Labels: map[string]string{revisionLabel: rev, "team": "x"}}},
			{RolloutRestart: &labs.RolloutRestartAction{Namespace: "a", Kind: "Deployment"}},
		}, map[string]map[string]*string{"a": {revisionLabel: &rev}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := newDesired()
			for _, a := range tt.acts {
				require.NoError(t, d.add(nil, testMapper(), a))
			}
			require.Equal(t, tt.want, d.podInjection)
		})
	}
}

func TestPodLabels(t *testing.T) {
	enabled := "enabled"
	found := map[string]string{injectionLabel: "enabled", revisionLabel: "stable"}
	require.Equal(t, map[string]string{revisionLabel: "stable"}, podLabels(found, map[string]*string{injectionLabel: nil}))
	require.Equal(t, found, podLabels(found, map[string]*string{}))
	require.Equal(t, map[string]string{injectionLabel: enabled}, podLabels(nil, map[string]*string{injectionLabel: &enabled}))
}
