package labs

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	yamlv3 "go.yaml.in/yaml/v3"

	"github.com/labctl/labctl/internal/golden"
)

// schemaPath is the published schema; lab.yaml files point editors at it.
const schemaPath = "../assets/schemas/lab.json"

func TestSchemaGolden(t *testing.T) {
	got, err := Schema()
	require.NoError(t, err)
	golden.AssertFile(t, schemaPath, got)
}

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	raw, err := Schema()
	require.NoError(t, err)
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	require.NoError(t, c.AddResource("lab.json", doc))
	sch, err := c.Compile("lab.json")
	require.NoError(t, err)
	return sch
}

func yamlDoc(t *testing.T, data []byte) any {
	t.Helper()
	var v any
	require.NoError(t, yamlv3.Unmarshal(data, &v))
	b, err := json.Marshal(v)
	require.NoError(t, err)
	out, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	require.NoError(t, err)
	return out
}

// Every built-in lab is valid by the schema, and typical mistakes are not.
func TestSchemaValidates(t *testing.T) {
	sch := compileSchema(t)
	n := 0
	require.NoError(t, fs.WalkDir(Builtin(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.Name() != FileName {
			return err
		}
		data, err := fs.ReadFile(Builtin(), p)
		require.NoError(t, err)
		assert.NoError(t, sch.Validate(yamlDoc(t, data)), p)
		n++
		return nil
	}))
	require.NotZero(t, n)

	good, err := os.ReadFile("testdata/lint/good/lab.yaml")
	require.NoError(t, err)
	require.NoError(t, sch.Validate(yamlDoc(t, good)))
	for name, bad := range map[string]string{
		"unknown action":   "      solution:\n        - apply: {file: manifests/vs.yaml}\n        - shell: {command: [ls]}\n",
		"two actions":      "      solution:\n        - apply: {file: a.yaml}\n          scale: {namespace: a, name: b, replicas: 1}\n",
		"unknown check":    "      checks:\n        - name: x\n          tcp: {}\n",
		"bad mode":         "  modes: [hybrid]\n",
		"bad traffic":      "      solution:\n        - traffic: {state: maybe}\n",
		"duration":         "  duration: soon\n",
		"unknown field":    "  stak: minimal\n",
		"scale no replica": "      solution:\n        - scale: {namespace: a, name: b}\n",
	} {
		doc := patchGood(t, string(good), bad)
		assert.Error(t, sch.Validate(yamlDoc(t, []byte(doc))), name)
	}
}

// patchGood replaces or adds the top-level key of good that patch sets
// (a spec field or a step field), keeping the rest.
func patchGood(t *testing.T, good, patch string) string {
	t.Helper()
	var doc, p map[string]any
	require.NoError(t, yamlv3.Unmarshal([]byte(good), &doc))
	spec := doc["spec"].(map[string]any)
	step := spec["steps"].([]any)[0].(map[string]any)
	if bytes.HasPrefix([]byte(patch), []byte("      ")) {
		require.NoError(t, yamlv3.Unmarshal([]byte(dedent(patch, 6)), &p))
		for k, v := range p {
			step[k] = v
		}
	} else {
		require.NoError(t, yamlv3.Unmarshal([]byte(dedent(patch, 2)), &p))
		for k, v := range p {
			spec[k] = v
		}
	}
	out, err := yamlv3.Marshal(doc)
	require.NoError(t, err)
	return string(out)
}

func dedent(s string, n int) string {
	var out bytes.Buffer
	for _, line := range bytes.Split([]byte(s), []byte("\n")) {
		if len(line) >= n {
			line = line[n:]
		}
		out.Write(line)
		out.WriteByte('\n')
	}
	return out.String()
}
