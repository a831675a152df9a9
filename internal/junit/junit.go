package junit

import (
	"encoding/xml"
	"fmt"
	"io"
)

// Suites is a whole report.
type Suites struct {
	XMLName  xml.Name `xml:"testsuites"`
	Name     string   `xml:"name,attr"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Errors   int      `xml:"errors,attr"`
	Skipped  int      `xml:"skipped,attr"`
	Time     string   `xml:"time,attr"`
	Suites   []Suite  `xml:"testsuite"`
}

// Suite is one testsuite.
type Suite struct {
	Name       string      `xml:"name,attr"`
	Tests      int         `xml:"tests,attr"`
	Failures   int         `xml:"failures,attr"`
	Errors     int         `xml:"errors,attr"`
	Skipped    int         `xml:"skipped,attr"`
	Time       string      `xml:"time,attr"`
	Properties *Properties `xml:"properties,omitempty"`
	Cases      []Case      `xml:"testcase"`
}

// Properties are a suite's name-value pairs.
type Properties struct {
	Items []Property `xml:"property"`
}

// Props returns ps as a suite's properties, nil for none.
func Props(ps ...Property) *Properties {
	if len(ps) == 0 {
		return nil
	}
	return &Properties{Items: ps}
}

// Property is a name and value of a suite.
type Property struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

// Case is one testcase: it passed unless one of Skipped, Failure or Error
// is set.
type Case struct {
	Name      string   `xml:"name,attr"`
	Classname string   `xml:"classname,attr"`
	Time      string   `xml:"time,attr"`
	Skipped   *Skip    `xml:"skipped,omitempty"`
	Failure   *Problem `xml:"failure,omitempty"`
	Error     *Problem `xml:"error,omitempty"`
	SystemOut *Text    `xml:"system-out,omitempty"`
}

// Skip says why a case was skipped.
type Skip struct {
	Message string `xml:"message,attr"`
}

// Problem is a failure or an error: a one-line message, a type and the
// details.
type Problem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Body    string `xml:",cdata"`
}

// Text is free text (system-out).
type Text struct {
	Body string `xml:",cdata"`
}

// Output returns s as a system-out, nil for "".
func Output(s string) *Text {
	if s == "" {
		return nil
	}
	return &Text{Body: s}
}

// Add appends c to the suite and counts it.
func (s *Suite) Add(c Case) {
	s.Tests++
	switch {
	case c.Failure != nil:
		s.Failures++
	case c.Error != nil:
		s.Errors++
	case c.Skipped != nil:
		s.Skipped++
	}
	s.Cases = append(s.Cases, c)
}

// Add appends s to the report and adds its counts to the totals.
func (r *Suites) Add(s Suite) {
	r.Tests += s.Tests
	r.Failures += s.Failures
	r.Errors += s.Errors
	r.Skipped += s.Skipped
	r.Suites = append(r.Suites, s)
}

// Seconds formats a duration in seconds as JUnit's time attribute.
func Seconds(s float64) string { return fmt.Sprintf("%.3f", s) }

// Write writes r as an indented XML document.
func Write(w io.Writer, r Suites) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("writing JUnit XML: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}
