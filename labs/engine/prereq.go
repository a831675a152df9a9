package engine

import (
	"context"
	"fmt"

	"github.com/labctl/labctl/labs"
)

// A lab's prerequisites (spec.prerequisites) are labs the learner would
// have done before it. The engine does them for the learner: lab start
// replays each prerequisite's baseline and step solutions before the lab's
// own baseline, reset keeps that state, and lab stop runs the
// prerequisites' cleanups after the lab's own. What the replay applies is
// a member of the started lab's ApplySet, so stop removes it like the
// lab's own objects.

// labAction is an action with the lab whose folder its files are in.
type labAction struct {
	lab *labs.Lab
	act labs.Action
}

// prerequisites returns the labs l needs done first, in replay order.
func prerequisites(cat Catalog, l *labs.Lab) ([]*labs.Lab, error) {
	return labs.Prerequisites(cat.Get, l)
}

// replay is the actions that bring an environment to the end state of the
// prerequisites: each one's baseline setup, then its steps' solutions.
func replay(pre []*labs.Lab) []labAction {
	var out []labAction
	for _, p := range pre {
		for _, a := range p.Spec.Baseline.Setup {
			out = append(out, labAction{p, a})
		}
		for _, st := range p.Spec.Steps {
			for _, a := range st.Solution {
				out = append(out, labAction{p, a})
			}
		}
	}
	return out
}

// actionsOf pairs a lab's actions with the lab.
func actionsOf(l *labs.Lab, acts []labs.Action) []labAction {
	out := make([]labAction, 0, len(acts))
	for _, a := range acts {
		out = append(out, labAction{l, a})
	}
	return out
}

// replayPrerequisite applies prerequisite p's baseline setup and its
// steps' solutions.
func (s *session) replayPrerequisite(ctx context.Context, p *labs.Lab) ([]ActionResult, error) {
	out, err := s.runActionsOf(ctx, "prerequisite "+p.ID()+" baseline setup", p, p.Spec.Baseline.Setup)
	if err != nil {
		return out, err
	}
	for i, st := range p.Spec.Steps {
		acts, err := s.runActionsOf(ctx, fmt.Sprintf("prerequisite %s step %d (%s) solution", p.ID(), i+1, st.ID), p, st.Solution)
		out = append(out, acts...)
		if err != nil {
			return out, err
		}
	}
	return out, nil
}
