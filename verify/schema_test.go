package verify

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	yamlv3 "go.yaml.in/yaml/v3"

	"github.com/labctl/labctl/internal/golden"
)

// schemaPath is the published schema; editors point yaml-language-server at it.
const schemaPath = "../assets/schemas/checkset.json"

func TestCheckSetSchemaGolden(t *testing.T) {
	got, err := CheckSetSchema()
	require.NoError(t, err)
	golden.AssertFile(t, schemaPath, got)
}

func yamlToAny(t *testing.T, doc []byte) any {
	t.Helper()
	var v any
	require.NoError(t, yamlv3.Unmarshal(doc, &v))
	b, err := json.Marshal(v)
	require.NoError(t, err)
	out, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	require.NoError(t, err)
	return out
}

func TestCheckSetSchemaValidates(t *testing.T) {
	raw, err := CheckSetSchema()
	require.NoError(t, err)
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	require.NoError(t, c.AddResource("checkset.json", doc))
	sch, err := c.Compile("checkset.json")
	require.NoError(t, err)

	good, err := os.ReadFile("testdata/bookinfo-checks.yaml")
	require.NoError(t, err)
	assert.NoError(t, sch.Validate(yamlToAny(t, good)))

	head := "apiVersion: labctl.dev/v1alpha1\nkind: CheckSet\nmetadata: {name: x}\nchecks:\n"
	for name, bad := range map[string]string{
		"typo":      head + "  - name: a\n    pods: {namespace: x, selectr: a=b}\n",
		"two types": head + "  - name: a\n    pods: {namespace: x}\n    trace: {service: s}\n",
		"no type":   head + "  - name: a\n",
		"bad kind":  "apiVersion: labctl.dev/v1alpha1\nkind: Lab\nmetadata: {name: x}\nchecks: []\n",
		"duration":  head + "  - name: a\n    timeout: soon\n    pods: {namespace: x}\n",
	} {
		assert.Error(t, sch.Validate(yamlToAny(t, []byte(bad))), name)
	}
}
