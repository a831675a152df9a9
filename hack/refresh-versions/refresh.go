package main

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// fetcher gets a URL's body; tests pass files from testdata.
type fetcher interface {
	get(ctx context.Context, url string) ([]byte, error)
}

// Where the facts come from.
const (
	rawIstio         = "https://raw.githubusercontent.com/istio/istio/"
	supportStatusURL = "https://raw.githubusercontent.com/istio/istio.io/master/data/compatibility/supportStatus.yml"
)

// result is what a refresh found: the change lines and the facts it could
// not fetch (left as they were).
type result struct {
	changes  []string
	problems []string
}

// refresh updates doc from upstream. add lets a newer Istio minor replace
// the oldest one.
func refresh(ctx context.Context, f fetcher, doc *lockDoc, add bool) (*result, error) {
	res := &result{}
	problem := func(format string, args ...any) { res.problems = append(res.problems, fmt.Sprintf(format, args...)) }

	istioIdx, err := fetchIndex(ctx, f, doc.istioRepo())
	if err != nil {
		return nil, fmt.Errorf("Istio's chart index (istio.repo): %w", err)
	}
	patches := istioIdx.latestPatches("istiod")
	indexes := map[string]*chartIndex{}
	for name, repo := range doc.chartRepos() {
		idx, err := fetchIndex(ctx, f, repo)
		if err != nil {
			problem("chart %s: %v", name, err)
			continue
		}
		indexes[name] = idx
	}
	k8s, err := fetchSupport(ctx, f)
	if err != nil {
		problem("Kubernetes ranges: %v", err)
	}

	releases := doc.releases()
	added := 0
	if add && len(releases) > 0 {
		// Each newer minor in turn joins, and the oldest leaves.
		for _, m := range sortedVersions(sortedKeys(patches)) {
			if compareVersions(m, minorOf(releases[0].Version)) <= 0 {
				continue
			}
			want, unconfirmed := facts(ctx, f, patches[m], indexes, k8s)
			for _, u := range unconfirmed {
				problem("istio %s: %s", m, u)
			}
			want.Unconfirmed = strings.Join(unconfirmed, "; ")
			res.changes = append(res.changes, doc.addRelease(want)...)
			releases = doc.releases()
			added++
		}
	}
	for i, r := range releases {
		if i < added {
			continue
		}
		m := minorOf(r.Version)
		version := r.Version
		if p, ok := patches[m]; ok && compareVersions(p, version) > 0 {
			version = p
		} else if !ok {
			problem("istio %s: no stable istiod chart of this minor in %s", m, doc.istioRepo())
		}
		want, unconfirmed := facts(ctx, f, version, indexes, k8s)
		for _, u := range unconfirmed {
			problem("istio %s: %s", m, u)
		}
		if len(unconfirmed) > 0 {
			want.Unconfirmed = r.Unconfirmed
		}
		res.changes = append(res.changes, doc.setRelease(i, want)...)
	}
	for name, idx := range indexes {
		if v := doc.lockWideVersion(name); v != "" && !idx.has(name, v) {
			problem("chart %s %s is not in its repository's index", name, v)
		}
	}
	// The default is the newest release with every fact confirmed.
	for _, r := range doc.releases() {
		if r.Unconfirmed == "" {
			res.changes = append(res.changes, doc.setDefault(minorOf(r.Version))...)
			break
		}
	}
	return res, nil
}

// facts fetches one Istio release's pins; what could not be fetched is
// left empty and named in the second result.
func facts(ctx context.Context, f fetcher, version string, indexes map[string]*chartIndex, k8s map[string][]string) (release, []string) {
	want := release{Version: version, Charts: map[string]string{}}
	var missing []string
	base := rawIstio + version + "/"
	if b, err := f.get(ctx, base+"manifests/addons/gen.sh"); err != nil {
		missing = append(missing, fmt.Sprintf("addon pins: %v", err))
	} else if p, err := parseGenSh(b); err != nil {
		missing = append(missing, fmt.Sprintf("addon pins: %v", err))
	} else {
		want.Charts["kiali-server"], want.Charts["prometheus"], want.Charts["grafana"] = p.Kiali, p.Prometheus, p.Grafana
	}
	if b, err := f.get(ctx, base+"samples/addons/jaeger.yaml"); err != nil {
		missing = append(missing, fmt.Sprintf("jaeger image: %v", err))
	} else if tag, err := parseJaegerImage(b); err != nil {
		missing = append(missing, fmt.Sprintf("jaeger image: %v", err))
	} else if idx := indexes["jaeger"]; idx == nil {
		missing = append(missing, "jaeger chart: no index of the jaeger repository")
	} else if v, ok := idx.chartForApp("jaeger", tag); !ok {
		missing = append(missing, fmt.Sprintf("jaeger chart: none ships Jaeger %s", tag))
	} else {
		want.Charts["jaeger"] = v
	}
	if b, err := f.get(ctx, base+"go.mod"); err != nil {
		missing = append(missing, fmt.Sprintf("Gateway API: %v", err))
	} else if v, err := parseGatewayAPI(b); err != nil {
		missing = append(missing, fmt.Sprintf("Gateway API: %v", err))
	} else {
		want.GatewayAPI = v
	}
	if ks, ok := k8s[minorOf(version)]; ok {
		want.Kubernetes = ks
	} else {
		missing = append(missing, "Kubernetes range: not in istio.io's supportStatus.yml")
	}
	for _, name := range sortedKeys(want.Charts) {
		v := want.Charts[name]
		if idx := indexes[name]; idx != nil && !idx.has(name, v) {
			missing = append(missing, fmt.Sprintf("chart %s %s is not in its repository's index", name, v))
			delete(want.Charts, name)
		}
	}
	return want, missing
}

// sortedVersions sorts dotted versions numerically, oldest first.
func sortedVersions(vs []string) []string {
	out := append([]string(nil), vs...)
	sort.Slice(out, func(i, j int) bool { return compareVersions(out[i], out[j]) < 0 })
	return out
}

func fetchIndex(ctx context.Context, f fetcher, repo string) (*chartIndex, error) {
	if repo == "" {
		return nil, fmt.Errorf("no repository URL")
	}
	b, err := f.get(ctx, strings.TrimSuffix(repo, "/")+"/index.yaml")
	if err != nil {
		return nil, err
	}
	return parseIndex(b)
}

func fetchSupport(ctx context.Context, f fetcher) (map[string][]string, error) {
	b, err := f.get(ctx, supportStatusURL)
	if err != nil {
		return nil, err
	}
	return parseSupportStatus(b)
}
