package apply

import (
	"context"
	"slices"
	"strings"

	"github.com/labctl/labctl/internal/state"
)

// RecordPlan adds p to env: new Namespaces to env.Namespaces, other new
// objects to env.Objects, and labels set on namespaces labctl did not create
// to env.Labels (once each), which is what `down` removes.
func RecordPlan(env *state.Environment, p Plan) {
	for _, ref := range p.New {
		if isNamespace(ref) {
			env.AddNamespace(ref.Name)
			continue
		}
		env.AddObject(ref)
	}
	for _, l := range p.Labels {
		if env.HasNamespace(l.Namespace) {
			continue // deleted whole by down
		}
		i := slices.IndexFunc(env.Labels, func(o state.NamespaceLabel) bool { return o.Namespace == l.Namespace && o.Key == l.Key })
		if i >= 0 {
			env.Labels[i].Value = l.Value
			continue
		}
		env.Labels = append(env.Labels, l)
	}
}

// EnvRecorder records each Plan in env and then calls save (which writes
// the record), so the record holds the objects before they exist.
func EnvRecorder(env *state.Environment, save func() error) Recorder {
	return func(_ context.Context, p Plan) error {
		RecordPlan(env, p)
		return save()
	}
}

func sortLabels(ls []state.NamespaceLabel) {
	slices.SortFunc(ls, func(a, b state.NamespaceLabel) int {
		if c := strings.Compare(a.Namespace, b.Namespace); c != 0 {
			return c
		}
		return strings.Compare(a.Key, b.Key)
	})
}
