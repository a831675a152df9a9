package labs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// EnvLabs names the environment variable with extra lab folders, a list
// separated by os.PathListSeparator (":" on Unix).
const EnvLabs = "LABCTL_LABS"

// maxSearchDepth bounds how deep below a user folder labs are looked for.
const maxSearchDepth = 4

// Catalog is every known lab: the built-in ones and the user's.
//
// Rule for ids: a user lab with the id of a built-in lab replaces it (so an
// author can work on a copy of a built-in lab); two user labs with the same
// id are an error on both, naming the other folder.
type Catalog struct {
	labs     map[string]*Lab
	problems map[string]Problems // by lab id; labs that did not decode are under their source
	order    []string
	// Overridden lists built-in labs replaced by a user lab, by id.
	Overridden map[string]string
}

// UserDirs returns the user's lab folders: those given on the command line
// followed by those in $LABCTL_LABS (env is its value).
func UserDirs(flagDirs []string, env string) []string {
	dirs := append([]string(nil), flagDirs...)
	for _, d := range filepath.SplitList(env) {
		if strings.TrimSpace(d) != "" {
			dirs = append(dirs, d)
		}
	}
	return dirs
}

// LoadCatalog loads the labs of builtin (an fs like Builtin(), nil for
// none) and of userDirs (each a lab folder or a folder of lab folders).
// Labs with problems stay in the catalogue (Get returns their problems);
// the error is about folders that cannot be read at all.
func LoadCatalog(builtin fs.FS, userDirs ...string) (*Catalog, error) {
	c := &Catalog{labs: map[string]*Lab{}, problems: map[string]Problems{}, Overridden: map[string]string{}}
	if builtin != nil {
		dirs, err := findLabDirs(builtin, ".")
		if err != nil {
			return nil, fmt.Errorf("built-in labs: %w", err)
		}
		for _, d := range dirs {
			sub, err := fs.Sub(builtin, d)
			if err != nil {
				return nil, err
			}
			c.add(Load(sub, builtinPrefix+path.Join("labs", d), ""))
		}
	}
	builtinIDs := map[string]bool{}
	for id := range c.labs {
		builtinIDs[id] = true
	}
	var errs []error
	for _, root := range userDirs {
		dirs, err := findUserLabDirs(root)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, d := range dirs {
			l, err := LoadDir(d)
			if l != nil && builtinIDs[l.ID()] {
				c.Overridden[l.ID()] = c.labs[l.ID()].Source
				c.remove(l.ID())
				delete(builtinIDs, l.ID())
			}
			c.add(l, err)
		}
	}
	c.checkPrerequisites()
	sort.Strings(c.order)
	return c, errors.Join(errs...)
}

func (c *Catalog) remove(id string) {
	delete(c.labs, id)
	delete(c.problems, id)
	for i, o := range c.order {
		if o == id {
			c.order = append(c.order[:i], c.order[i+1:]...)
			break
		}
	}
}

// add records a loaded lab (or the problems of one that did not decode).
func (c *Catalog) add(l *Lab, err error) {
	var ps Problems
	if err != nil && !errors.As(err, &ps) {
		ps = Problems{{File: "(unknown)", Message: err.Error()}}
	}
	if l == nil || l.ID() == "" {
		key := "(undecoded)"
		if len(ps) > 0 {
			key = ps[0].File
		}
		c.problems[key] = append(c.problems[key], ps...)
		return
	}
	id := l.ID()
	if prev, dup := c.labs[id]; dup {
		c.problems[id] = append(c.problems[id], Problem{File: l.File(FileName), Line: l.Line("metadata.name"), Field: "metadata.name",
			Message: fmt.Sprintf("lab id %q is also used by %s: lab ids must be unique", id, prev.File(FileName))})
		return
	}
	c.labs[id] = l
	c.order = append(c.order, id)
	if len(ps) > 0 {
		c.problems[id] = append(c.problems[id], ps...)
	}
}

// checkPrerequisites reports unknown prerequisites, prerequisites on
// another stack, and cycles.
func (c *Catalog) checkPrerequisites() {
	for _, id := range c.order {
		l := c.labs[id]
		for i, p := range l.Spec.Prerequisites {
			f := fmt.Sprintf("spec.prerequisites[%d]", i)
			pl, ok := c.labs[p]
			switch {
			case !ok && p != id:
				c.problems[id] = append(c.problems[id], Problem{File: l.File(FileName), Line: l.Line(f), Field: f,
					Message: fmt.Sprintf("prerequisite %q is not a known lab%s", p, didYouMean(p, c.order))})
			case ok && pl.Spec.Stack != l.Spec.Stack:
				// lab start replays a prerequisite in the lab's environment.
				c.problems[id] = append(c.problems[id], Problem{File: l.File(FileName), Line: l.Line(f), Field: f,
					Message: fmt.Sprintf("prerequisite %q runs on stack %s, this lab on %s: lab start replays prerequisites in the lab's environment, so they need the same stack", p, pl.Spec.Stack, l.Spec.Stack)})
			}
		}
	}
	// Depth-first search for cycles; each cycle is reported once, on the
	// lab where it was found.
	const (
		unvisited = iota
		active
		done
	)
	state := map[string]int{}
	var stack []string
	var visit func(id string)
	visit = func(id string) {
		state[id] = active
		stack = append(stack, id)
		l := c.labs[id]
		for i, p := range l.Spec.Prerequisites {
			if _, ok := c.labs[p]; !ok || p == id {
				continue
			}
			switch state[p] {
			case active:
				start := 0
				for j, s := range stack {
					if s == p {
						start = j
					}
				}
				cycle := append(append([]string(nil), stack[start:]...), p)
				f := fmt.Sprintf("spec.prerequisites[%d]", i)
				c.problems[id] = append(c.problems[id], Problem{File: l.File(FileName), Line: l.Line(f), Field: f,
					Message: "prerequisites form a cycle: " + strings.Join(cycle, " -> ")})
			case unvisited:
				visit(p)
			}
		}
		stack = stack[:len(stack)-1]
		state[id] = done
	}
	ids := append([]string(nil), c.order...)
	sort.Strings(ids)
	for _, id := range ids {
		if state[id] == unvisited {
			visit(id)
		}
	}
}

// List returns every lab that decoded, sorted by id (labs with problems
// included: see Problems).
func (c *Catalog) List() []*Lab {
	out := make([]*Lab, 0, len(c.order))
	for _, id := range c.order {
		out = append(out, c.labs[id])
	}
	return out
}

// Get returns the lab with the given id; a lab with problems returns them
// as the error (the same messages lint prints).
func (c *Catalog) Get(id string) (*Lab, error) {
	l, ok := c.labs[id]
	if !ok {
		return nil, fmt.Errorf("no lab %q%s: labctl lab list shows the labs", id, didYouMean(id, c.order))
	}
	if ps := c.problems[id]; len(ps) > 0 {
		ps.Sort()
		return l, fmt.Errorf("lab %s has problems (labctl lab lint shows them all):\n%w", id, ps)
	}
	return l, nil
}

// Problems returns every problem of every lab (and of folders whose
// lab.yaml did not decode), sorted.
func (c *Catalog) Problems() Problems {
	var all Problems
	for _, ps := range c.problems {
		all = append(all, ps...)
	}
	all.Sort()
	return all
}

// LabProblems returns the problems of one lab.
func (c *Catalog) LabProblems(id string) Problems { return c.problems[id] }

// findLabDirs lists the folders below root in fsys that hold lab.yaml.
func findLabDirs(fsys fs.FS, root string) ([]string, error) {
	var dirs []string
	err := fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if strings.Count(p, "/") > maxSearchDepth {
			return fs.SkipDir
		}
		if _, err := fs.Stat(fsys, path.Join(p, FileName)); err == nil {
			dirs = append(dirs, p)
			return fs.SkipDir // a lab folder holds no nested labs
		}
		return nil
	})
	sort.Strings(dirs)
	return dirs, err
}

// findUserLabDirs returns root itself if it is a lab folder, else the lab
// folders below it.
func findUserLabDirs(root string) ([]string, error) {
	info, err := os.Stat(root)
	if err != nil {
		return nil, fmt.Errorf("lab folder %s: %w (check --labs and %s)", root, err, EnvLabs)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("lab folder %s is not a directory (check --labs and %s)", root, EnvLabs)
	}
	dirs, err := findLabDirs(os.DirFS(root), ".")
	if err != nil {
		return nil, fmt.Errorf("lab folder %s: %w", root, err)
	}
	if len(dirs) == 0 {
		return nil, fmt.Errorf("no %s in %s or the folders below it (check --labs and %s)", FileName, root, EnvLabs)
	}
	out := make([]string, len(dirs))
	for i, d := range dirs {
		out[i] = filepath.Join(root, filepath.FromSlash(d))
	}
	return out, nil
}
