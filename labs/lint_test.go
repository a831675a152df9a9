package labs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Each folder of testdata/lint is one lab (or a few) with one kind of
// mistake; lint must report exactly the expected problems, located.
func TestLintRejectsWithFileAndLine(t *testing.T) {
	tests := []struct {
		dir  string
		want []string // "file:line: substring" per problem, in order
	}{
		{"good", nil},
		{"unknown-action", []string{`unknown-action/lab.yaml:16: unknown field "shell"`}},
		{"missing-manifest", []string{"missing-manifest/lab.yaml:15: manifests/nope.yaml does not exist"}},
		{"dotdot", []string{`dotdot/lab.yaml:15: path "../good/manifests/vs.yaml" escapes the lab folder`}},
		{"absolute", []string{`absolute/lab.yaml:15: path "/etc/hostname" is absolute`}},
		{"unknown-check", []string{`unknown-check/lab.yaml:20: unknown field "tcp"`}},
		{"duplicate-steps", []string{`duplicate-steps/lab.yaml:19: spec.steps[1].id: step id "one" is already used by step 1`}},
		{"bad-yaml", []string{"bad-yaml/lab.yaml:4: "}},
		{"bad-manifest", []string{"bad-manifest/manifests/vs.yaml:1: not a Kubernetes object: apiVersion and kind are missing"}},
		{"bad-check", []string{`bad-check/lab.yaml:17: spec.steps[0].checks[0]: check "vs": pods: namespace is required`}},
		{"bad-include", []string{"bad-include/step.md:5: include: manifests/gone.yaml does not exist"}},
		{"missing-instructions", []string{"missing-instructions/lab.yaml:13: spec.steps[0].instructions: steps/one.md does not exist"}},
		{"unknown-prerequisite", []string{`unknown-prerequisite/lab.yaml:8: spec.prerequisites[0]: prerequisite "goood" is not a known lab`}},
		{"twice-prerequisite", []string{
			`twice-prerequisite/lab.yaml:8: spec.prerequisites[1]: prerequisite "twice-prerequisite-other" is listed twice`,
			`twice-prerequisite/lab.yaml:8: spec.prerequisites[0]: prerequisite "twice-prerequisite-other" is not a known lab`,
			`twice-prerequisite/lab.yaml:8: spec.prerequisites[1]: prerequisite "twice-prerequisite-other" is not a known lab`,
		}},
		{"other-stack", []string{`other-stack/later/lab.yaml:8: spec.prerequisites[0]: prerequisite "other-stack-base" runs on stack bookinfo, this lab on minimal`}},
		{"cycle", []string{"cycle/cycle-b/lab.yaml:8: spec.prerequisites[0]: prerequisites form a cycle: cycle-a -> cycle-b -> cycle-a"}},
		{"bad-revision", []string{
			"bad-revision/lab.yaml:12: spec.steps[0].solution[0].istioRevision.revision: revision default is the environment's own istiod",
			`bad-revision/lab.yaml:13: spec.steps[0].solution[1].istioRevision.revision: revision "Canary_1"`,
			`bad-revision/lab.yaml:14: spec.steps[0].solution[2].istioRevision.tags[2]: tag "Bad_Tag"`,
			`bad-revision/lab.yaml:14: spec.steps[0].solution[2].istioRevision.tags[0]: tag "canary" is the revision's own name`,
			`bad-revision/lab.yaml:14: spec.steps[0].solution[2].istioRevision.version: version "2.x": use an Istio minor`,
			"bad-revision/lab.yaml:15: spec.steps[0].solution[3].istioRevision: remove takes only the revision",
			"bad-revision/lab.yaml:16: spec.steps[0].solution[4].istioRevision.revision: the revision (a DNS label such as canary or 1-32) is required",
			"bad-revision/lab.yaml:20: spec.needsRealCluster: say in a sentence why",
		}},
		{"dup", []string{`dup/y/lab.yaml:4: metadata.name: lab id "same-id" is also used by testdata/lint/dup/x/lab.yaml`}},
		// Every problem of a lab at once.
		{"many", []string{
			"many/lab.yaml:3: metadata.title: a title is required",
			`many/lab.yaml:4: metadata.name: lab id "Many_Problems"`,
			`many/lab.yaml:7: spec.modes[1]: mode "hybrid"`,
			`many/lab.yaml:10: spec.scope.kinds[0]: kind "apps/v1/Deployment"`,
			`many/lab.yaml:12: spec.steps[0]: step "one" has no instructions`,
			"many/lab.yaml:15: spec.steps[0].solution[0].scale.replicas: replicas is required",
			"many/lab.yaml:16: spec.steps[0].solution[1].wait: set exactly one of pods, condition or istioAccepted",
			`many/lab.yaml:17: spec.steps[0].solution[2].traffic.state: state "maybe"`,
			"many/lab.yaml:18: spec.steps[0].solution[3].load.duration: duration 10m0s is longer than a lab's load may run (5m0s)",
			"many/lab.yaml:19: spec.steps[0].solution[4].load.requests: 1000 requests at 1/s take longer than a lab's load may run (5m0s)",
			`many/lab.yaml:23: spec.steps[0].checks[1].name: check name "a" is already used`,
			`many/lab.yaml:26: spec.steps[0].istioMessages[0].code: code "IST01"`,
			"many/lab.yaml:26: spec.steps[0].istioMessages[0].reason: say why",
			`many/lab.yaml:27: spec.steps[0].istioMessages[0].resource: resource "reviews"`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			ps, err := Lint(nil, nil, filepath.Join("testdata", "lint", tt.dir))
			require.NoError(t, err)
			assertProblems(t, ps, tt.want)
		})
	}
}

func assertProblems(t *testing.T, ps Problems, want []string) {
	t.Helper()
	require.Len(t, ps, len(want), "problems:\n%v", ps)
	for i, w := range want {
		loc, msg, _ := strings.Cut(w, ": ")
		got := ps[i].Error()
		assert.Contains(t, got, "testdata/lint/"+loc+":", "problem %d", i)
		assert.Contains(t, got, msg, "problem %d", i)
	}
}

// A symlink in the lab folder that points out of it is refused, like "..".
func TestLintRejectsSymlinkOutOfTheFolder(t *testing.T) {
	root := t.TempDir()
	outside := filepath.Join(root, "secret.yaml")
	require.NoError(t, os.WriteFile(outside, []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"), 0o644))
	dir := filepath.Join(root, "lab")
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "manifests"), 0o755))
	data, err := os.ReadFile("testdata/lint/good/lab.yaml")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, FileName), []byte(strings.ReplaceAll(string(data), "name: good", "name: symlink")), 0o644))
	require.NoError(t, os.Symlink(outside, filepath.Join(dir, "manifests", "vs.yaml")))

	ps, err := Lint(nil, nil, dir)
	require.NoError(t, err)
	require.Len(t, ps, 1, "%v", ps)
	assert.Equal(t, 15, ps[0].Line)
	assert.Contains(t, ps[0].Message, "is a symlink to "+outside+", outside the lab folder")

	// A symlink that stays inside the folder is fine.
	require.NoError(t, os.Remove(filepath.Join(dir, "manifests", "vs.yaml")))
	vs, err := os.ReadFile("testdata/lint/good/manifests/vs.yaml")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "real.yaml"), vs, 0o644))
	require.NoError(t, os.Symlink(filepath.Join("..", "real.yaml"), filepath.Join(dir, "manifests", "vs.yaml")))
	ps, err = Lint(nil, nil, dir)
	require.NoError(t, err)
	assert.Empty(t, ps)
}

// lab start goes through Catalog.Get: it refuses the lab with the very
// problems lint prints.
func TestGetRefusesWhatLintRejects(t *testing.T) {
	dir := filepath.Join("testdata", "lint", "missing-manifest")
	c, err := LoadCatalog(nil, dir)
	require.NoError(t, err)
	_, err = c.Get("missing-manifest")
	require.Error(t, err)
	ps, err2 := Lint(nil, nil, dir)
	require.NoError(t, err2)
	require.Len(t, ps, 1)
	assert.Contains(t, err.Error(), ps[0].Error())
}

func TestUserLabOverridesBuiltin(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "basics")
	require.NoError(t, os.CopyFS(dir, mustSub(t, "samples/basics")))
	data, err := os.ReadFile(filepath.Join(dir, FileName))
	require.NoError(t, err)
	data = []byte(strings.Replace(string(data), `title: "Sample: scale, route and restart httpbin"`, "title: My copy", 1))
	require.NoError(t, os.WriteFile(filepath.Join(dir, FileName), data, 0o644))

	c, err := LoadCatalog(Builtin(), root)
	require.NoError(t, err)
	l, err := c.Get("sample-basics")
	require.NoError(t, err)
	assert.Equal(t, "My copy", l.Metadata.Title)
	assert.Equal(t, dir, l.Source)
	assert.Equal(t, "builtin:labs/samples/basics", c.Overridden["sample-basics"])
}

func TestUserDirs(t *testing.T) {
	sep := string(os.PathListSeparator)
	assert.Equal(t, []string{"a", "b", "c"}, UserDirs([]string{"a"}, "b"+sep+sep+"c"))
	assert.Empty(t, UserDirs(nil, ""))
	_, err := LoadCatalog(nil, filepath.Join(t.TempDir(), "missing"))
	assert.ErrorContains(t, err, "LABCTL_LABS")
}
