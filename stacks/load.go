package stacks

import (
	"embed"
	"fmt"
	"strings"

	"github.com/labctl/labctl/internal/embedfs"
)

//go:embed builtin/*.yaml
var builtinFS embed.FS

// DefaultStack is the stack `labctl up` uses without --stack or -f.
const DefaultStack = "bookinfo"

// BuiltinNames lists the built-in stacks, sorted.
func BuiltinNames() []string { return embedfs.Names(builtinFS, "builtin", ".yaml") }

// BuiltinSource returns the YAML of a built-in stack.
func BuiltinSource(name string) ([]byte, error) {
	b, err := builtinFS.ReadFile("builtin/" + name + ".yaml")
	if err != nil {
		return nil, fmt.Errorf("no built-in stack %q: use one of %s, or -f FILE", name, strings.Join(BuiltinNames(), ", "))
	}
	return b, nil
}

// Options are the command-line overrides applied on top of a stack file,
// in this order: the typed flags, then every --set in turn.
type Options struct {
	Mode         string
	IstioVersion string
	Provider     string
	// Sets are path=value overrides, e.g. cluster.workers=2.
	Sets []string
}

// Load returns a built-in stack with overrides and defaults applied, validated.
func Load(name string, opts Options) (*Stack, error) {
	src, err := BuiltinSource(name)
	if err != nil {
		return nil, err
	}
	return Parse("builtin/"+name+".yaml", src, opts)
}

// LoadFile reads a stack file, applies overrides and defaults, and validates.
func LoadFile(path string, opts Options) (*Stack, error) {
	src, err := readFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, src, opts)
}

// Parse decodes, overrides, defaults and validates a stack document. file
// names the source in error messages.
func Parse(file string, src []byte, opts Options) (*Stack, error) {
	var s Stack
	lines, err := decodeStrict(file, src, &s)
	if err != nil {
		return nil, err
	}
	if err := s.applyFlags(opts); err != nil {
		return nil, err
	}
	for _, set := range opts.Sets {
		if err := s.applySet(set); err != nil {
			return nil, err
		}
	}
	lock, err := LoadVersions()
	if err != nil {
		return nil, err
	}
	// The Istio release picks the rest of the lock (Gateway API bundle,
	// addon charts); an unsupported version is refused before anything else.
	v := lock
	if s.Spec.Mesh.Version != "" {
		if v, err = lock.ForIstio(s.Spec.Mesh.Version); err != nil {
			if opts.IstioVersion != "" && s.Spec.Mesh.Version == opts.IstioVersion {
				// The flag, not the file, asked for it: name the flag.
				return nil, fmt.Errorf("--istio-version: %w", err)
			}
			return nil, &ValidationError{Errs: []*FieldError{{Path: "spec.mesh.version", Msg: err.Error(), File: file, Line: lines.Line("spec.mesh.version")}}}
		}
		s.Spec.Mesh.Version = v.Istio.Version
	}
	s.Default(v)
	if errs := s.Validate(v); len(errs) > 0 {
		for _, fe := range errs {
			fe.File = file
			fe.Line = lines.Line(fe.Path)
		}
		return nil, &ValidationError{Errs: errs}
	}
	return &s, nil
}

func (s *Stack) applyFlags(o Options) error {
	if o.Mode != "" {
		s.Spec.Mesh.Mode = o.Mode
	}
	if o.IstioVersion != "" {
		s.Spec.Mesh.Version = o.IstioVersion
	}
	if o.Provider != "" {
		s.Spec.Cluster.Provider = o.Provider
	}
	return nil
}
