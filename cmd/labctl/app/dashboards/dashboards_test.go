package dashboards

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/labctl/labctl/internal/cli"
	"github.com/labctl/labctl/internal/golden"
	"github.com/labctl/labctl/internal/state"
)

func TestDashboardsOutput(t *testing.T) {
	withApp := &state.Environment{Name: "lab", IngressURL: "http://127.0.0.1:8080", Apps: []state.App{{Name: "bookinfo", Path: "/productpage", URL: "http://127.0.0.1:8080/productpage"}}}
	cases := []struct {
		name   string
		output string
		env    *state.Environment
	}{
		{"text-no-env", "", nil},
		{"text-env", "text", withApp},
		{"json-env", "json", withApp},
		{"yaml-no-env", "yaml", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			d := &cli.Deps{
				Streams: cli.Streams{Out: &out, ErrOut: &errOut},
				Log:     cli.NewLogger(&errOut, 0),
				Output:  tc.output,
				Env: func() (*state.Environment, error) {
					if tc.env == nil {
						return nil, errors.New("no environment")
					}
					return tc.env, nil
				},
			}
			require.NoError(t, run(d))
			golden.Assert(t, tc.name+".golden", out.Bytes())
		})
	}
}

func TestDashboardsJSONShape(t *testing.T) {
	var out bytes.Buffer
	d := &cli.Deps{Streams: cli.Streams{Out: &out}, Output: "json"}
	require.NoError(t, run(d))
	var rows []map[string]any
	require.NoError(t, json.Unmarshal(out.Bytes(), &rows))
	require.Len(t, rows, 6)
	for _, r := range rows {
		for _, k := range []string{"name", "service", "namespace", "port"} {
			assert.Contains(t, r, k)
		}
	}
	assert.Equal(t, "kiali", rows[0]["name"])
	assert.Equal(t, "app", rows[5]["name"])
}

func TestDashboardsBadOutput(t *testing.T) {
	d := &cli.Deps{Streams: cli.Streams{Out: &bytes.Buffer{}}, Output: "xml"}
	assert.ErrorContains(t, run(d), `unknown output format "xml"`)
}

func TestCommand(t *testing.T) {
	cmd := NewCommand(&cli.Deps{})
	assert.Equal(t, "dashboards", cmd.Use)
	assert.Error(t, cmd.Args(cmd, []string{"extra"}))
}
