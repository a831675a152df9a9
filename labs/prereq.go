package labs

import (
	"fmt"
	"strings"
)

// Prerequisites returns the labs l starts from (spec.prerequisites),
// transitively, looked up with get: each lab once, every lab after the
// labs it needs, in the order the labs list them. A prerequisite must run
// on l's stack, since it is replayed in l's environment; a cycle is an
// error (lint reports both too).
func Prerequisites(get func(id string) (*Lab, error), l *Lab) ([]*Lab, error) {
	var out []*Lab
	done := map[string]bool{}
	var path []string
	var visit func(l *Lab) error
	visit = func(l *Lab) error {
		for _, id := range path {
			if id == l.ID() {
				return fmt.Errorf("the prerequisites of lab %s form a cycle: %s -> %s (labctl lab lint shows it)",
					path[0], strings.Join(path, " -> "), l.ID())
			}
		}
		path = append(path, l.ID())
		defer func() { path = path[:len(path)-1] }()
		for _, id := range l.Spec.Prerequisites {
			if done[id] {
				continue
			}
			p, err := get(id)
			if err != nil {
				return fmt.Errorf("prerequisite %s of lab %s: %w", id, l.ID(), err)
			}
			if p.Spec.Stack != l.Spec.Stack {
				return fmt.Errorf("prerequisite %s of lab %s runs on stack %s, the lab on %s: a prerequisite is replayed in the lab's environment, so both need the same stack",
					id, l.ID(), p.Spec.Stack, l.Spec.Stack)
			}
			if err := visit(p); err != nil {
				return err
			}
			done[id] = true
			out = append(out, p)
		}
		return nil
	}
	if err := visit(l); err != nil {
		return nil, err
	}
	return out, nil
}
