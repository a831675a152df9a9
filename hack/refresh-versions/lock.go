package main

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// release is one entry of istio.releases in the lock.
type release struct {
	Version     string
	GatewayAPI  string
	Kubernetes  []string
	Charts      map[string]string
	Unconfirmed string
}

// lockDoc is the version lock as a YAML node tree, so that rewriting it
// keeps every comment.
type lockDoc struct {
	root *yaml.Node
}

func parseLock(src []byte) (*lockDoc, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, fmt.Errorf("version lock: %w", err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("version lock: expected a mapping at the top")
	}
	l := &lockDoc{root: &doc}
	if l.releasesNode() == nil {
		return nil, fmt.Errorf("version lock: no istio.releases list")
	}
	return l, nil
}

func (l *lockDoc) bytes() ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(l.root); err != nil {
		return nil, err
	}
	return b.Bytes(), enc.Close()
}

// child returns the value node of key in mapping m, or nil.
func child(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func (l *lockDoc) top() *yaml.Node { return l.root.Content[0] }

func (l *lockDoc) releasesNode() *yaml.Node {
	n := child(child(l.top(), "istio"), "releases")
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	return n
}

// istioRepo is istio.repo of the lock.
func (l *lockDoc) istioRepo() string { return scalar(child(child(l.top(), "istio"), "repo")) }

// chartRepos maps chart names to their repositories (charts.<name>.repo).
func (l *lockDoc) chartRepos() map[string]string {
	out := map[string]string{}
	m := child(l.top(), "charts")
	if m == nil {
		return out
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		out[m.Content[i].Value] = scalar(child(m.Content[i+1], "repo"))
	}
	return out
}

// lockWideVersion is charts.<name>.version (charts no Istio release pins).
func (l *lockDoc) lockWideVersion(name string) string {
	return scalar(child(child(child(l.top(), "charts"), name), "version"))
}

func scalar(n *yaml.Node) string {
	if n == nil {
		return ""
	}
	return n.Value
}

func (l *lockDoc) releases() []release {
	var out []release
	for _, n := range l.releasesNode().Content {
		r := release{Version: scalar(child(n, "version")), GatewayAPI: scalar(child(n, "gatewayAPI")),
			Unconfirmed: scalar(child(n, "unconfirmed")), Charts: map[string]string{}}
		if k := child(n, "kubernetes"); k != nil {
			for _, c := range k.Content {
				r.Kubernetes = append(r.Kubernetes, c.Value)
			}
		}
		if c := child(n, "charts"); c != nil {
			for i := 0; i+1 < len(c.Content); i += 2 {
				r.Charts[c.Content[i].Value] = c.Content[i+1].Value
			}
		}
		out = append(out, r)
	}
	return out
}

// setRelease rewrites release i to want and returns one line per change.
func (l *lockDoc) setRelease(i int, want release) []string {
	n := l.releasesNode().Content[i]
	have := l.releases()[i]
	name := "istio " + minorOf(have.Version)
	var changes []string
	set := func(field, from, to string) {
		if to == "" || from == to {
			return
		}
		setScalar(n, field, to)
		changes = append(changes, fmt.Sprintf("%s: %s %s -> %s", name, field, orNone(from), to))
	}
	set("version", have.Version, want.Version)
	set("gatewayAPI", have.GatewayAPI, want.GatewayAPI)
	if len(want.Kubernetes) > 0 && !slices.Equal(have.Kubernetes, want.Kubernetes) {
		seq := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
		for _, k := range want.Kubernetes {
			seq.Content = append(seq.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: k, Style: yaml.DoubleQuotedStyle})
		}
		setNode(n, "kubernetes", seq)
		changes = append(changes, fmt.Sprintf("%s: kubernetes %s -> %s", name, orNone(strings.Join(have.Kubernetes, ",")), strings.Join(want.Kubernetes, ",")))
	}
	for _, chart := range sortedKeys(want.Charts) {
		to := want.Charts[chart]
		from := have.Charts[chart]
		if to == "" || from == to {
			continue
		}
		c := child(n, "charts")
		if c == nil {
			c = &yaml.Node{Kind: yaml.MappingNode}
			setNode(n, "charts", c)
		}
		setScalar(c, chart, to)
		changes = append(changes, fmt.Sprintf("%s: charts.%s %s -> %s", name, chart, orNone(from), to))
	}
	if have.Unconfirmed != "" && want.Unconfirmed == "" {
		deleteKey(n, "unconfirmed")
		changes = append(changes, fmt.Sprintf("%s: every pin confirmed, unconfirmed note removed", name))
	}
	return changes
}

// addRelease puts a new release first (newest) and drops the last one
// (oldest), keeping the number of minors; it returns the change lines.
func (l *lockDoc) addRelease(want release) []string {
	seq := l.releasesNode()
	n := &yaml.Node{Kind: yaml.MappingNode}
	setScalar(n, "version", want.Version)
	seq.Content = append([]*yaml.Node{n}, seq.Content...)
	changes := []string{fmt.Sprintf("istio %s: added (%s)", minorOf(want.Version), want.Version)}
	for _, c := range l.setRelease(0, want) {
		if !strings.Contains(c, ": version ") {
			changes = append(changes, c)
		}
	}
	if want.Unconfirmed != "" {
		setScalar(n, "unconfirmed", want.Unconfirmed)
	}
	old := l.releases()[len(seq.Content)-1]
	seq.Content = seq.Content[:len(seq.Content)-1]
	changes = append(changes, fmt.Sprintf("istio %s: removed (%s is the oldest minor)", minorOf(old.Version), old.Version))
	return changes
}

// setDefault sets istio.default.
func (l *lockDoc) setDefault(minor string) []string {
	ist := child(l.top(), "istio")
	from := scalar(child(ist, "default"))
	if minor == "" || from == minor {
		return nil
	}
	setScalar(ist, "default", minor)
	child(ist, "default").Style = yaml.DoubleQuotedStyle
	return []string{fmt.Sprintf("istio.default %s -> %s", orNone(from), minor)}
}

func setScalar(m *yaml.Node, key, value string) {
	if v := child(m, key); v != nil && v.Kind == yaml.ScalarNode {
		v.Value = value
		return
	}
	setNode(m, key, &yaml.Node{Kind: yaml.ScalarNode, Value: value})
}

func setNode(m *yaml.Node, key string, v *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			v.HeadComment, v.LineComment = m.Content[i+1].HeadComment, m.Content[i+1].LineComment
			m.Content[i+1] = v
			return
		}
	}
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: key}, v)
}

func deleteKey(m *yaml.Node, key string) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content = append(m.Content[:i], m.Content[i+2:]...)
			return
		}
	}
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
