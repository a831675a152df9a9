package main

import (
	"bufio"
	"bytes"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"sigs.k8s.io/yaml"
)

// addonPins are the chart versions one Istio release's manifests/addons pin.
type addonPins struct {
	Kiali, Prometheus, Grafana string
	// JaegerImage is the tag of the Jaeger image samples/addons/jaeger.yaml runs.
	JaegerImage string
}

var (
	// helm template <release> <chart> ... --version X (gen.sh spreads one
	// command over several lines joined with backslashes).
	genVersion = regexp.MustCompile(`--version\s+"?([^"\s]+)"?`)
	genDefault = regexp.MustCompile(`^([A-Z_]+)_VERSION=\$\{[A-Z_]+_VERSION:-"([^"]+)"\}`)
	jaegerTag  = regexp.MustCompile(`image:\s*"?[^"\s]*jaegertracing/(?:jaeger|all-in-one):([^"\s]+)"?`)
	gatewayMod = regexp.MustCompile(`(?m)^\s*sigs\.k8s\.io/gateway-api\s+(v\S+)`)
)

// parseGenSh reads the chart versions from Istio's manifests/addons/gen.sh.
func parseGenSh(src []byte) (addonPins, error) {
	defaults := map[string]string{}
	var cmds []string
	var cur strings.Builder
	sc := bufio.NewScanner(bytes.NewReader(src))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if m := genDefault.FindStringSubmatch(line); m != nil {
			defaults[m[1]] = m[2]
		}
		if strings.HasSuffix(line, "\\") {
			cur.WriteString(strings.TrimSuffix(line, "\\") + " ")
			continue
		}
		cur.WriteString(line)
		cmds = append(cmds, cur.String())
		cur.Reset()
	}
	var p addonPins
	for _, c := range cmds {
		f := strings.Fields(c)
		if len(f) < 4 || !strings.HasPrefix(f[0], "helm") || f[1] != "template" {
			continue
		}
		m := genVersion.FindStringSubmatch(c)
		if m == nil {
			continue
		}
		v := m[1]
		if strings.HasPrefix(v, "${") {
			name := strings.TrimSuffix(strings.TrimPrefix(v, "${"), "}")
			v = defaults[strings.TrimSuffix(name, "_VERSION")]
		}
		switch {
		case strings.Contains(c, " kiali-server"):
			p.Kiali = v
		case f[3] == "prometheus":
			p.Prometheus = v
		case f[3] == "grafana":
			p.Grafana = v
		}
	}
	var missing []string
	for name, v := range map[string]string{"kiali-server": p.Kiali, "prometheus": p.Prometheus, "grafana": p.Grafana} {
		if v == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return p, fmt.Errorf("gen.sh pins no version of %s (has its layout changed?)", strings.Join(missing, ", "))
	}
	return p, nil
}

// parseJaegerImage returns the Jaeger image tag of samples/addons/jaeger.yaml.
func parseJaegerImage(src []byte) (string, error) {
	m := jaegerTag.FindSubmatch(src)
	if m == nil {
		return "", fmt.Errorf("no jaegertracing image in jaeger.yaml")
	}
	return string(m[1]), nil
}

// parseGatewayAPI returns the sigs.k8s.io/gateway-api version of a go.mod.
func parseGatewayAPI(gomod []byte) (string, error) {
	m := gatewayMod.FindSubmatch(gomod)
	if m == nil {
		return "", fmt.Errorf("go.mod requires no sigs.k8s.io/gateway-api")
	}
	return string(m[1]), nil
}

// chartIndex is the part of a Helm repository's index.yaml this tool reads.
type chartIndex struct {
	Entries map[string][]struct {
		Version    string `json:"version"`
		AppVersion string `json:"appVersion"`
	} `json:"entries"`
}

func parseIndex(src []byte) (*chartIndex, error) {
	var idx chartIndex
	if err := yaml.Unmarshal(src, &idx); err != nil {
		return nil, fmt.Errorf("index.yaml: %w", err)
	}
	if len(idx.Entries) == 0 {
		return nil, fmt.Errorf("index.yaml has no entries")
	}
	return &idx, nil
}

// has says whether the index holds chart name at version.
func (idx *chartIndex) has(name, version string) bool {
	for _, e := range idx.Entries[name] {
		if e.Version == version {
			return true
		}
	}
	return false
}

// latestPatches maps each minor to its newest stable version of chart name
// ("1.31" -> "1.31.4"); pre-releases are skipped.
func (idx *chartIndex) latestPatches(name string) map[string]string {
	out := map[string]string{}
	for _, e := range idx.Entries[name] {
		v := strings.TrimPrefix(e.Version, "v")
		if !stableVersion.MatchString(v) {
			continue
		}
		m := minorOf(v)
		if cur, ok := out[m]; !ok || compareVersions(v, cur) > 0 {
			out[m] = v
		}
	}
	return out
}

// chartForApp returns the newest chart version of name whose appVersion is
// app, else the newest one on app's minor (app "2.14.0" matches "2.14.1").
func (idx *chartIndex) chartForApp(name, app string) (string, bool) {
	app = strings.TrimPrefix(app, "v")
	best, bestMinor := "", ""
	for _, e := range idx.Entries[name] {
		if !stableVersion.MatchString(e.Version) {
			continue
		}
		av := strings.TrimPrefix(e.AppVersion, "v")
		if av == app && (best == "" || compareVersions(e.Version, best) > 0) {
			best = e.Version
		}
		if minorOf(av) == minorOf(app) && (bestMinor == "" || compareVersions(e.Version, bestMinor) > 0) {
			bestMinor = e.Version
		}
	}
	if best != "" {
		return best, true
	}
	return bestMinor, bestMinor != ""
}

// latest returns the newest stable version of chart name.
func (idx *chartIndex) latest(name string) string {
	best := ""
	for _, e := range idx.Entries[name] {
		if stableVersion.MatchString(e.Version) && (best == "" || compareVersions(e.Version, best) > 0) {
			best = e.Version
		}
	}
	return best
}

// supportStatus is one row of istio.io's data/compatibility/supportStatus.yml.
type supportStatus struct {
	Version     string   `json:"version"`
	K8sVersions []string `json:"k8sVersions"`
}

// parseSupportStatus maps Istio minors to their supported Kubernetes minors.
func parseSupportStatus(src []byte) (map[string][]string, error) {
	var rows []supportStatus
	if err := yaml.Unmarshal(src, &rows); err != nil {
		return nil, fmt.Errorf("supportStatus.yml: %w", err)
	}
	out := map[string][]string{}
	for _, r := range rows {
		if len(r.K8sVersions) > 0 && minorPattern.MatchString(r.Version) {
			ks := append([]string(nil), r.K8sVersions...)
			sort.Slice(ks, func(i, j int) bool { return compareVersions(ks[i], ks[j]) < 0 })
			out[r.Version] = ks
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("supportStatus.yml lists no release with k8sVersions")
	}
	return out, nil
}

var (
	stableVersion = regexp.MustCompile(`^\d+\.\d+\.\d+$`)
	minorPattern  = regexp.MustCompile(`^\d+\.\d+$`)
)

func minorOf(v string) string {
	p := strings.SplitN(strings.TrimPrefix(v, "v"), ".", 3)
	if len(p) < 2 {
		return v
	}
	return p[0] + "." + p[1]
}

// compareVersions orders dotted numeric versions.
func compareVersions(a, b string) int {
	pa, pb := strings.Split(strings.TrimPrefix(a, "v"), "."), strings.Split(strings.TrimPrefix(b, "v"), ".")
	for i := 0; i < len(pa) && i < len(pb); i++ {
		x, _ := strconv.Atoi(pa[i])
		y, _ := strconv.Atoi(pb[i])
		if x != y {
			return x - y
		}
	}
	return len(pa) - len(pb)
}
