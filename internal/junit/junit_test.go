package junit

import (
	"bytes"
	"encoding/xml"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/labctl/labctl/internal/golden"
)

func sample() Suites {
	r := Suites{Name: "labctl demo", Time: Seconds(1.5)}
	s := Suite{Name: "one", Time: Seconds(1.5), Properties: Props(Property{"stack", "minimal"})}
	s.Add(Case{Name: "passes", Classname: "one", Time: Seconds(0.25), SystemOut: Output("skipped check x: why")})
	s.Add(Case{Name: "fails", Classname: "one", Time: Seconds(1), Failure: &Problem{Message: "differs <a&b>", Type: "fail", Body: "observed: ]]> & <tags>\n"}})
	s.Add(Case{Name: "errors", Classname: "one", Time: Seconds(0), Error: &Problem{Message: "no cluster", Type: "error"}})
	s.Add(Case{Name: "skipped", Classname: "one", Time: Seconds(0), Skipped: &Skip{Message: "simulated"}})
	r.Add(s)
	r.Add(Suite{Name: "empty", Time: Seconds(0)})
	return r
}

func TestWriteGolden(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, Write(&b, sample()))
	golden.AssertString(t, "sample.golden.xml", b.String())
}

func TestCountsAndRoundTrip(t *testing.T) {
	r := sample()
	require.Equal(t, [4]int{4, 1, 1, 1}, [4]int{r.Tests, r.Failures, r.Errors, r.Skipped})
	require.Equal(t, [4]int{4, 1, 1, 1}, [4]int{r.Suites[0].Tests, r.Suites[0].Failures, r.Suites[0].Errors, r.Suites[0].Skipped})
	var b bytes.Buffer
	require.NoError(t, Write(&b, r))
	var back Suites
	require.NoError(t, xml.Unmarshal(b.Bytes(), &back), "the output is well-formed XML")
	require.Equal(t, "observed: ]]> & <tags>\n", back.Suites[0].Cases[1].Failure.Body, "CDATA keeps every character, ]]> too")
	require.Equal(t, "differs <a&b>", back.Suites[0].Cases[1].Failure.Message)
	require.Equal(t, "skipped check x: why", back.Suites[0].Cases[0].SystemOut.Body)
	require.Nil(t, Output(""))
	require.Nil(t, Props())
}
