package install

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// DefaultParallelism is how many components install at once. Helm installs
// mostly wait on the API server and on pods, so a few at a time pay off
// even on a 2-core laptop.
const DefaultParallelism = 4

// Levels orders the graph into levels: every component's dependencies are in
// earlier levels. Components in one level may install in parallel. It fails
// on unknown dependencies and cycles, naming them.
func Levels(comps []Component) ([][]string, error) {
	byName := map[string]Component{}
	for _, c := range comps {
		if _, dup := byName[c.Name]; dup {
			return nil, fmt.Errorf("install graph: component %q appears twice", c.Name)
		}
		byName[c.Name] = c
	}
	level := map[string]int{}
	var visit func(name string, path []string) (int, error)
	visit = func(name string, path []string) (int, error) {
		if l, ok := level[name]; ok {
			if l < 0 {
				return 0, fmt.Errorf("install graph: dependency cycle %s", strings.Join(append(path, name), " -> "))
			}
			return l, nil
		}
		c, ok := byName[name]
		if !ok {
			return 0, fmt.Errorf("install graph: %s depends on unknown component %q", path[len(path)-1], name)
		}
		level[name] = -1
		l := 0
		for _, d := range c.DependsOn {
			dl, err := visit(d, append(path, name))
			if err != nil {
				return 0, err
			}
			l = max(l, dl+1)
		}
		level[name] = l
		return l, nil
	}
	var out [][]string
	for _, c := range comps {
		l, err := visit(c.Name, nil)
		if err != nil {
			return nil, err
		}
		for len(out) <= l {
			out = append(out, nil)
		}
	}
	for name, l := range level {
		out[l] = append(out[l], name)
	}
	for _, lv := range out {
		sort.Strings(lv)
	}
	return out, nil
}

// Run calls apply for every component, each as soon as all its dependencies
// succeeded, at most parallel at a time. The first failure cancels the
// components still running and stops new ones from starting; Run returns
// every failure, each naming its component. Components that never started
// because of a failure are reported through skipped.
func Run(ctx context.Context, comps []Component, parallel int, apply func(context.Context, Component) error, skipped func(Component, string)) error {
	if _, err := Levels(comps); err != nil {
		return err
	}
	if parallel < 1 {
		parallel = 1
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	var (
		mu          sync.Mutex
		done        = map[string]bool{}
		started     = map[string]bool{}
		failed      bool
		errs        []error
		interrupted []Component
		wg          sync.WaitGroup
		sem         = make(chan struct{}, parallel)
		wake        = make(chan struct{}, len(comps)+1)
	)
	ready := func(c Component) bool {
		for _, d := range c.DependsOn {
			if !done[d] {
				return false
			}
		}
		return true
	}
	for {
		mu.Lock()
		if failed || ctx.Err() != nil {
			mu.Unlock()
			break
		}
		remaining := 0
		for _, c := range comps {
			if started[c.Name] {
				continue
			}
			remaining++
			if !ready(c) {
				continue
			}
			started[c.Name] = true
			wg.Add(1)
			go func(c Component) {
				defer wg.Done()
				select {
				case sem <- struct{}{}:
				case <-ctx.Done():
					wake <- struct{}{}
					return
				}
				err := apply(ctx, c)
				<-sem
				mu.Lock()
				switch {
				case err != nil && failed && errors.Is(err, context.Canceled):
					// Stopped because another component failed: that
					// failure is the error; this one is only interrupted.
					interrupted = append(interrupted, c)
				case err != nil:
					failed = true
					errs = append(errs, err)
					cancel()
				default:
					done[c.Name] = true
				}
				mu.Unlock()
				wake <- struct{}{}
			}(c)
		}
		inFlight := len(started) - len(done)
		mu.Unlock()
		if remaining == 0 {
			break
		}
		if inFlight == 0 {
			// Nothing running and nothing ready: only possible after a failure.
			break
		}
		<-wake
	}
	wg.Wait()
	if skipped != nil {
		for _, c := range interrupted {
			skipped(c, "interrupted: another component failed")
		}
		for _, c := range comps {
			if !started[c.Name] {
				reason := "not started: a dependency failed"
				if !failed && ctx.Err() != nil {
					reason = "not started: interrupted"
				}
				skipped(c, reason)
			}
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return nil
}
