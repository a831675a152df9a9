package stacks

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/labctl/labctl/charts"
)

var dnsLabel = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$`)

// pathSegment is what a field that labctl joins into a cache file name may
// hold: one path segment, no separator, no "..". Chart names and versions
// (semver, with pre-release and build parts) fit.
var pathSegment = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._+-]*$`)

// badSegment says why v cannot be part of a path, or "" when it can.
func badSegment(v string) string {
	if v == "" || (pathSegment.MatchString(v) && !strings.Contains(v, "..")) {
		return ""
	}
	return fmt.Sprintf("%q would be used in a file path: use only letters, digits, '.', '_', '+' and '-', without '..' or '/'", v)
}

// badRepo says why u is not a chart repository URL, or "" when it is.
func badRepo(u string) string {
	if u == "" {
		return ""
	}
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https" && p.Scheme != "oci") || p.Host == "" || strings.Trim(p.Hostname(), ".") == "" {
		return fmt.Sprintf("%q is not a chart repository URL: use http://, https:// or oci:// with a host name", u)
	}
	return ""
}

// maxWorkers bounds the worker count: more will not fit on a laptop.
const maxWorkers = 10

// meshValueCharts are the Istio charts spec.mesh.values may configure.
var meshValueCharts = []string{"base", "cni", "gateway", "istiod", "ztunnel"}

// Validate checks a defaulted stack and returns every problem found, each
// naming the field path and what to do.
func (s *Stack) Validate(v *Versions) []*FieldError {
	var errs []*FieldError
	add := func(path, format string, args ...any) {
		errs = append(errs, &FieldError{Path: path, Msg: fmt.Sprintf(format, args...)})
	}
	if s.APIVersion != APIVersion {
		add("apiVersion", "must be %q, got %q", APIVersion, s.APIVersion)
	}
	if s.Kind != Kind {
		add("kind", "must be %q, got %q", Kind, s.Kind)
	}
	if !dnsLabel.MatchString(s.Metadata.Name) {
		add("metadata.name", "%q is not a valid name: use lowercase letters, digits and '-'", s.Metadata.Name)
	}
	c := s.Spec.Cluster
	if !slices.Contains([]string{ProviderKind, ProviderExisting, ProviderKwok}, c.Provider) {
		add("spec.cluster.provider", "unknown provider %q: use kind, existing or kwok", c.Provider)
	}
	if c.Workers < 0 || c.Workers > maxWorkers {
		add("spec.cluster.workers", "must be between 0 and %d, got %d", maxWorkers, c.Workers)
	}
	for _, p := range []struct {
		path string
		port int
	}{{"spec.cluster.ports.http", c.Ports.HTTP}, {"spec.cluster.ports.https", c.Ports.HTTPS}} {
		if p.port < 1 || p.port > 65535 {
			add(p.path, "port %d is out of range 1-65535", p.port)
		}
	}
	if c.Ports.HTTP == c.Ports.HTTPS {
		add("spec.cluster.ports.https", "must differ from ports.http (both are %d)", c.Ports.HTTP)
	}
	if c.RegistryMirror != "" && !strings.HasPrefix(c.RegistryMirror, "http://") && !strings.HasPrefix(c.RegistryMirror, "https://") {
		add("spec.cluster.registryMirror", "%q must be a URL starting with http:// or https://", c.RegistryMirror)
	}
	errs = append(errs, s.validateMesh(v)...)
	errs = append(errs, s.validateAddons()...)
	errs = append(errs, s.validateApps()...)
	return errs
}

func (s *Stack) validateMesh(v *Versions) []*FieldError {
	var errs []*FieldError
	add := func(path, format string, args ...any) {
		errs = append(errs, &FieldError{Path: path, Msg: fmt.Sprintf(format, args...)})
	}
	m := s.Spec.Mesh
	if m.Mode != ModeSidecar && m.Mode != ModeAmbient {
		add("spec.mesh.mode", "unknown mode %q: use sidecar or ambient", m.Mode)
	}
	if m.Ingress.Mode != IngressIstio && m.Ingress.Mode != IngressGatewayAPI {
		add("spec.mesh.ingress.mode", "unknown ingress mode %q: use istio or gatewayapi", m.Ingress.Mode)
	}
	if !regexp.MustCompile(`^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$`).MatchString(m.Version) {
		add("spec.mesh.version", "%q is not an Istio release version such as %s", m.Version, v.Istio.Version)
	}
	if m.Mode == ModeAmbient && m.Profile != "ambient" {
		add("spec.mesh.profile", "ambient mode needs profile \"ambient\", got %q", m.Profile)
	}
	for k := range m.Values {
		if !slices.Contains(meshValueCharts, k) {
			add("spec.mesh.values."+k, "not an Istio chart: use one of %s", strings.Join(meshValueCharts, ", "))
		}
	}
	return errs
}

func (s *Stack) validateAddons() []*FieldError {
	var errs []*FieldError
	seen := map[string]bool{}
	for i, a := range s.Spec.Addons {
		p := fmt.Sprintf("spec.addons[%d]", i)
		switch {
		case a.Name == "":
			errs = append(errs, &FieldError{Path: p + ".name", Msg: "is required"})
		case seen[a.Name]:
			errs = append(errs, &FieldError{Path: p + ".name", Msg: fmt.Sprintf("addon %q is listed twice", a.Name)})
		}
		seen[a.Name] = true
		if a.Chart == "" || a.Repo == "" || a.Version == "" {
			errs = append(errs, &FieldError{Path: p, Msg: fmt.Sprintf("addon %q is not one labctl knows (%s): give chart, repo and version", a.Name, strings.Join(AddonNames(), ", "))})
		}
		if !dnsLabel.MatchString(a.Namespace) {
			errs = append(errs, &FieldError{Path: p + ".namespace", Msg: fmt.Sprintf("%q is not a valid namespace name", a.Namespace)})
		}
		// The chart cache path is <cache>/<repo host+path>/<chart>-<version>.tgz.
		for _, f := range []struct{ field, msg string }{
			{"chart", badSegment(a.Chart)}, {"version", badSegment(a.Version)}, {"repo", badRepo(a.Repo)},
		} {
			if f.msg != "" {
				errs = append(errs, &FieldError{Path: p + "." + f.field, Msg: f.msg})
			}
		}
	}
	if seen["jaeger"] && seen["zipkin"] {
		errs = append(errs, &FieldError{Path: "spec.addons", Msg: "choose one tracing backend: jaeger or zipkin, not both"})
	}
	return errs
}

func (s *Stack) validateApps() []*FieldError {
	var errs []*FieldError
	add := func(path, format string, args ...any) {
		errs = append(errs, &FieldError{Path: path, Msg: fmt.Sprintf(format, args...)})
	}
	names := map[string]bool{}
	embedded := charts.Names()
	for i, a := range s.Spec.Apps {
		p := fmt.Sprintf("spec.apps[%d]", i)
		if !dnsLabel.MatchString(a.Name) {
			add(p+".name", "%q is not a valid name: use lowercase letters, digits and '-'", a.Name)
		}
		if names[a.Name] {
			add(p+".name", "app %q is listed twice", a.Name)
		}
		names[a.Name] = true
		if !slices.Contains(embedded, a.Chart) {
			add(p+".chart", "no chart %q in labctl: use one of %s", a.Chart, strings.Join(embedded, ", "))
		}
		for j, ns := range a.Namespaces {
			if !dnsLabel.MatchString(ns) {
				add(fmt.Sprintf("%s.namespaces[%d]", p, j), "%q is not a valid namespace name", ns)
			}
		}
		if !slices.Contains(a.Namespaces, a.Namespace) {
			add(p+".namespaces", "must include the release namespace %q", a.Namespace)
		}
		if a.Ingress != nil && a.Ingress.Path != "" && !strings.HasPrefix(a.Ingress.Path, "/") {
			add(p+".ingress.path", "%q must start with /", a.Ingress.Path)
		}
	}
	if t := s.Spec.Traffic; t != nil && t.Enabled {
		if t.Rate <= 0 || t.Rate > 100 {
			add("spec.traffic.rate", "must be above 0 and at most 100 requests per second, got %g", t.Rate)
		}
		for i, target := range t.Targets {
			if !names[target] {
				add(fmt.Sprintf("spec.traffic.targets[%d]", i), "no app %q in spec.apps", target)
			}
		}
	}
	return errs
}
