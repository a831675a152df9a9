package labs

import (
	"fmt"
	"regexp"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/labctl/labctl/verify"
)

// Validate checks everything about the lab that needs no other lab and no
// cluster: required fields, ids, action and check specs, that every file it
// references exists inside the folder, that every manifest parses into
// objects, and that instructions' include directives resolve. It returns
// every problem at once, each located in lab.yaml or the file concerned.
// Prerequisites are checked by the Catalog, which knows the other labs.
func (l *Lab) Validate() Problems {
	v := &validator{lab: l, file: l.File(FileName)}
	v.lab.validateHeader(v)
	v.validateSpec()
	v.ps.Sort()
	return v.ps
}

type validator struct {
	lab  *Lab
	file string
	ps   Problems
}

// add records a problem at field (its line, or the nearest written parent's).
func (v *validator) add(field, format string, args ...any) {
	v.ps = append(v.ps, Problem{File: v.file, Line: v.line(field), Field: field, Message: fmt.Sprintf(format, args...)})
}

// addIn records a problem in another file of the lab.
func (v *validator) addIn(file string, line int, format string, args ...any) {
	v.ps = append(v.ps, Problem{File: v.lab.File(file), Line: line, Message: fmt.Sprintf(format, args...)})
}

func (v *validator) line(field string) int {
	for f := field; f != ""; f = parentField(f) {
		if n := v.lab.Line(f); n > 0 {
			return n
		}
	}
	return 0
}

func parentField(f string) string {
	i := strings.LastIndexAny(f, ".[")
	if i <= 0 {
		return ""
	}
	return f[:i]
}

func (l *Lab) validateHeader(v *validator) {
	if l.APIVersion != APIVersion || l.Kind != KindLab {
		v.add("apiVersion", "apiVersion/kind are %q/%q, want %s/%s", l.APIVersion, l.Kind, APIVersion, KindLab)
	}
	switch name := l.Metadata.Name; {
	case name == "":
		v.add("metadata.name", "the lab id is required (a DNS label such as request-routing)")
	default:
		if errs := validation.IsDNS1123Label(name); len(errs) > 0 {
			v.add("metadata.name", "lab id %q: %s", name, strings.Join(errs, "; "))
		}
	}
	if strings.TrimSpace(l.Metadata.Title) == "" {
		v.add("metadata.title", "a title is required (one line for lab list)")
	}
}

func (v *validator) validateSpec() {
	s := &v.lab.Spec
	if s.Stack == "" {
		v.add("spec.stack", "the stack is required (e.g. minimal, bookinfo)")
	}
	seenMode := map[string]bool{}
	for i, m := range s.Modes {
		f := fmt.Sprintf("spec.modes[%d]", i)
		if m != ModeSidecar && m != ModeAmbient {
			v.add(f, "mode %q: use sidecar or ambient", m)
		}
		if seenMode[m] {
			v.add(f, "mode %q is listed twice", m)
		}
		seenMode[m] = true
	}
	if s.Duration.Duration < 0 {
		v.add("spec.duration", "the estimated duration must not be negative")
	}
	seenPre := map[string]bool{}
	for i, p := range s.Prerequisites {
		f := fmt.Sprintf("spec.prerequisites[%d]", i)
		if p == v.lab.Metadata.Name {
			v.add(f, "the lab cannot be its own prerequisite")
		}
		if seenPre[p] {
			v.add(f, "prerequisite %q is listed twice", p)
		}
		seenPre[p] = true
	}
	v.validateScope()
	for i, a := range s.Baseline.Setup {
		v.validateAction(fmt.Sprintf("spec.baseline.setup[%d]", i), a)
	}
	v.validateChecks("spec.baseline.ready", s.Baseline.Ready, false)
	if len(s.Steps) == 0 {
		v.add("spec.steps", "a lab needs at least one step")
	}
	ids := map[string]int{}
	for i := range s.Steps {
		v.validateStep(i, ids)
	}
	for i, a := range s.Cleanup {
		v.validateAction(fmt.Sprintf("spec.cleanup[%d]", i), a)
	}
	if s.NeedsRealCluster != "" && len(strings.Fields(s.NeedsRealCluster)) < 3 {
		v.add("spec.needsRealCluster", "say in a sentence why the lab cannot run on a simulated cluster (it is shown to the learner and in labctl test)")
	}
}

func (v *validator) validateScope() {
	sc := v.lab.Spec.Scope
	if len(sc.Namespaces) == 0 {
		v.add("spec.scope.namespaces", "name the namespaces the lab works in (reset prunes only there)")
	}
	for i, ns := range sc.Namespaces {
		if errs := validation.IsDNS1123Label(ns); len(errs) > 0 {
			v.add(fmt.Sprintf("spec.scope.namespaces[%d]", i), "namespace %q: %s", ns, strings.Join(errs, "; "))
		}
	}
	for i, k := range sc.Kinds {
		if _, err := ParseGroupKind(k); err != nil {
			v.add(fmt.Sprintf("spec.scope.kinds[%d]", i), "%v", err)
		}
	}
}

func (v *validator) validateStep(i int, ids map[string]int) {
	st := v.lab.Spec.Steps[i]
	f := fmt.Sprintf("spec.steps[%d]", i)
	switch {
	case st.ID == "":
		v.add(f+".id", "step id is required (a DNS label such as route-v1)")
	default:
		if errs := validation.IsDNS1123Label(st.ID); len(errs) > 0 {
			v.add(f+".id", "step id %q: %s", st.ID, strings.Join(errs, "; "))
		}
		if j, dup := ids[st.ID]; dup {
			v.add(f+".id", "step id %q is already used by step %d (spec.steps[%d])", st.ID, j+1, j)
		}
		ids[st.ID] = i
	}
	if strings.TrimSpace(st.Title) == "" {
		v.add(f+".title", "a step title is required")
	}
	switch {
	case st.Instructions == "" && st.Text == "":
		v.add(f, "step %q has no instructions: set instructions (a Markdown file) or text", st.ID)
	case st.Instructions != "" && st.Text != "":
		v.add(f+".text", "set either instructions (a file) or text, not both")
	case st.Instructions != "":
		v.validateMarkdownFile(f+".instructions", st.Instructions)
	default:
		v.validateIncludes(f+".text", "", st.Text)
	}
	for j, h := range st.Hints {
		if strings.TrimSpace(h) == "" {
			v.add(fmt.Sprintf("%s.hints[%d]", f, j), "empty hint")
		}
	}
	if len(st.Solution) == 0 {
		v.add(f+".solution", "step %q has no solution: lab solve, goto and labctl test replay it", st.ID)
	}
	for j, a := range st.Solution {
		v.validateAction(fmt.Sprintf("%s.solution[%d]", f, j), a)
	}
	v.validateChecks(f+".checks", st.Checks, true)
	for j, m := range st.IstioMessages {
		mf := fmt.Sprintf("%s.istioMessages[%d]", f, j)
		if !istioCodeRE.MatchString(m.Code) {
			v.add(mf+".code", "code %q: write an analyzer code such as IST0101", m.Code)
		}
		if strings.TrimSpace(m.Reason) == "" {
			v.add(mf+".reason", "say why the step shows this message on purpose")
		}
		if m.Resource != "" && !istioResourceRE.MatchString(m.Resource) {
			v.add(mf+".resource", "resource %q: write \"Kind namespace/name\" or \"Kind name\"", m.Resource)
		}
	}
}

var (
	istioCodeRE     = regexp.MustCompile(`^IST[0-9]{4}$`)
	istioResourceRE = regexp.MustCompile(`^[A-Z][A-Za-z0-9]* ([a-z0-9]([-a-z0-9]*[a-z0-9])?/)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?$`)
)

// validateChecks validates verify specs; names are unique within the list.
func (v *validator) validateChecks(field string, specs []verify.Spec, required bool) {
	if required && len(specs) == 0 {
		v.add(field, "at least one check is required: it tells the learner the step worked")
	}
	seen := map[string]int{}
	for i := range specs {
		f := fmt.Sprintf("%s[%d]", field, i)
		if err := specs[i].Validate(); err != nil {
			v.add(f, "%v", err)
			continue
		}
		if j, dup := seen[specs[i].Name]; dup {
			v.add(f+".name", "check name %q is already used by %s[%d]", specs[i].Name, field, j)
		}
		seen[specs[i].Name] = i
	}
}

func (v *validator) validateMarkdownFile(field, file string) {
	data, err := v.lab.ReadFile(file)
	if err != nil {
		v.add(field, "%v", err)
		return
	}
	v.validateIncludes(field, file, string(data))
}

// validateIncludes checks every include directive of a Markdown text; file
// is its file ("" when inline in lab.yaml at field).
func (v *validator) validateIncludes(field, file, md string) {
	for n, line := range strings.Split(md, "\n") {
		m := includeRE.FindStringSubmatch(line)
		bad := ""
		switch {
		case m != nil:
			if _, err := v.lab.ReadFile(m[1]); err != nil {
				bad = fmt.Sprintf("include: %v", err)
			}
		case looseIncludeRE.MatchString(line):
			bad = `malformed include directive: write {{< include "path/in/the/lab" >}} on a line of its own`
		}
		if bad == "" {
			continue
		}
		if file != "" {
			v.addIn(file, n+1, "%s", bad)
		} else {
			v.add(field, "line %d of the text: %s", n+1, bad)
		}
	}
}
