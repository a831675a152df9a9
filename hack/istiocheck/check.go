package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"istio.io/istio/pkg/config"
	"istio.io/istio/pkg/config/analysis/analyzers"
	"istio.io/istio/pkg/config/analysis/diag"
	"istio.io/istio/pkg/config/analysis/local"
	"istio.io/istio/pkg/config/resource"
	"istio.io/istio/pkg/config/schema/collections"
	sresource "istio.io/istio/pkg/config/schema/resource"
)

// IstioNamespace is where the stacks install istiod.
const IstioNamespace = "istio-system"

// Finding is one problem Istio reports.
type Finding struct {
	// Level is "Error" or "Warning".
	Level string
	// Code is the analyzer message code (IST0101) or "validation".
	Code string
	// Resource is the object, written "Kind namespace/name".
	Resource string
	// Source is the manifest (or stack part) the object came from.
	Source  string
	Message string
}

func (f Finding) String() string {
	return fmt.Sprintf("%s [%s] (%s, from %s) %s", f.Level, f.Code, f.Resource, f.Source, f.Message)
}

// topLevel are the fields an Istio object may have, as istioctl validate
// checks: anything else is a typo the API server would prune silently.
var topLevel = map[string]bool{"apiVersion": true, "kind": true, "metadata": true, "spec": true, "status": true}

// Validate runs Istio's validation of every Istio kind among objs (the
// webhook's and `istioctl validate`'s): schema conversion, then the kind's
// validation function. Errors and warnings are findings.
func Validate(objs []Object) []Finding {
	var out []Finding
	for _, o := range objs {
		g := o.U.GroupVersionKind()
		schema, ok := collections.Pilot.FindByGroupVersionAliasesKind(config.GroupVersionKind{Group: g.Group, Version: g.Version, Kind: g.Kind})
		if !ok {
			continue
		}
		add := func(level, msg string) {
			out = append(out, Finding{Level: level, Code: "validation", Resource: describe(o.U), Source: o.Source, Message: msg})
		}
		var extra []string
		for k := range o.U.Object {
			if !topLevel[k] {
				extra = append(extra, k)
			}
		}
		if len(extra) > 0 {
			sort.Strings(extra)
			add("Error", fmt.Sprintf("unknown top-level field(s) %s: only apiVersion, kind, metadata, spec, status", strings.Join(extra, ", ")))
			continue
		}
		cfg, err := toConfig(schema, o)
		if err != nil {
			add("Error", err.Error())
			continue
		}
		warn, err := schema.ValidateConfig(*cfg)
		if err != nil {
			add("Error", err.Error())
		}
		if warn != nil {
			add("Warning", warn.Error())
		}
	}
	return out
}

// toConfig converts an object to Istio's config form, strictly: an unknown
// field in spec is an error, as in `istioctl validate`.
func toConfig(schema sresource.Schema, o Object) (*config.Config, error) {
	spec, err := schema.NewInstance()
	if err != nil {
		return nil, err
	}
	raw, err := json.Marshal(o.U.Object["spec"])
	if err != nil {
		return nil, err
	}
	if err := config.ApplyJSONStrict(spec, string(raw)); err != nil {
		return nil, fmt.Errorf("cannot parse spec: %w", err)
	}
	return &config.Config{
		Meta: config.Meta{
			GroupVersionKind: schema.GroupVersionKind(),
			Name:             o.U.GetName(),
			Namespace:        o.U.GetNamespace(),
			Labels:           o.U.GetLabels(),
			Annotations:      o.U.GetAnnotations(),
		},
		Spec: spec,
	}, nil
}

// Analyze runs every Istio analyzer over objs (plus a Pod per workload) with
// the stack's mesh config, and returns the messages of level Warning or worse.
// All namespaces are analyzed, as `istioctl analyze -A --use-kube=false`.
func Analyze(objs []Object, st *Stack) ([]Finding, error) {
	sa := local.NewIstiodAnalyzer(analyzers.AllCombined(), "", resource.Namespace(IstioNamespace), nil)
	if st.MeshConfig != "" {
		dir, err := os.MkdirTemp("", "istiocheck-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		f := filepath.Join(dir, "mesh.yaml")
		if err := os.WriteFile(f, []byte(st.MeshConfig), 0o600); err != nil {
			return nil, err
		}
		if err := sa.AddFileKubeMeshConfig(f); err != nil {
			return nil, fmt.Errorf("mesh config: %w", err)
		}
	}
	all, err := withPods(objs, st.ProxyImage)
	if err != nil {
		return nil, err
	}
	names, streams, err := bySource(all)
	if err != nil {
		return nil, err
	}
	readers := make([]local.ReaderSource, 0, len(names))
	for _, n := range names {
		readers = append(readers, local.ReaderSource{Name: n, Reader: strings.NewReader(streams[n])})
	}
	// The test source also reads Pods, Services and Namespaces, which the
	// file source of `istioctl analyze` leaves to the live cluster.
	if err := sa.AddTestReaderKubeSource(readers); err != nil {
		return nil, fmt.Errorf("reading objects: %w", err)
	}
	cancel := make(chan struct{})
	defer close(cancel)
	res, err := sa.Analyze(cancel)
	if err != nil {
		return nil, err
	}
	sources := map[string]string{}
	for _, o := range all {
		sources[describe(o.U)] = o.Source
	}
	var out []Finding
	for _, m := range res.Messages {
		if !m.Type.Level().IsWorseThanOrEqualTo(diag.Warning) {
			continue
		}
		f := Finding{Level: m.Type.Level().String(), Code: m.Type.Code(),
			Message: fmt.Sprintf(m.Type.Template(), m.Parameters...)}
		if m.Resource != nil {
			f.Resource = m.Resource.Origin.FriendlyName()
			f.Source = sources[f.Resource]
		}
		out = append(out, f)
	}
	return out, nil
}
