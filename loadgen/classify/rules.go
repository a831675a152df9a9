package classify

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
)

// Classifier sorts one HTTP response into a class; "" means unclassified.
// Implementations must be safe for concurrent use.
type Classifier interface {
	Classify(status int, header http.Header, body []byte) string
}

// Func adapts a plain function to the Classifier interface.
type Func func(status int, header http.Header, body []byte) string

// Classify calls f.
func (f Func) Classify(status int, header http.Header, body []byte) string {
	return f(status, header, body)
}

// Rule puts a response into Class when Match (a Go regular expression) matches
// the value of Header, or the body when Header is empty. Class may refer to
// submatches of Match ("$1", "${version}"), as in regexp.Regexp.Expand.
type Rule struct {
	Class  string `json:"class"`
	Header string `json:"header,omitempty"`
	Match  string `json:"match"`
}

// Rules is an ordered list of rules; the first matching rule wins.
type Rules []Rule

// Validate checks every rule and compiles its regular expression. The error
// names the index of the first bad rule.
func (r Rules) Validate() error {
	_, err := r.Compile()
	return err
}

// Compile validates the rules and returns a Classifier with the regular
// expressions compiled once, for hot paths such as the load generator.
func (r Rules) Compile() (Classifier, error) {
	if len(r) == 0 {
		return nil, errors.New("classification rules: no rules given; add at least one {class, match} rule")
	}
	out := make(compiled, len(r))
	for i, rule := range r {
		c, err := compileRule(rule)
		if err != nil {
			return nil, fmt.Errorf("classification rule %d (class %q): %w", i, rule.Class, err)
		}
		out[i] = c
	}
	return out, nil
}

// Classify returns the class of the first matching rule, or "". Invalid rules
// never match; call Validate first to find them. Regular expressions are
// compiled once per pattern and cached.
func (r Rules) Classify(status int, header http.Header, body []byte) string {
	for _, rule := range r {
		c, err := cachedRule(rule)
		if err != nil {
			continue
		}
		if class, ok := c.classify(header, body); ok {
			return class
		}
	}
	return ""
}

var ruleCache sync.Map // Rule -> compiledRule

func cachedRule(rule Rule) (compiledRule, error) {
	if v, ok := ruleCache.Load(rule); ok {
		return v.(compiledRule), nil
	}
	c, err := compileRule(rule)
	if err != nil {
		return compiledRule{}, err
	}
	ruleCache.Store(rule, c)
	return c, nil
}

type compiledRule struct {
	class    string
	header   string
	re       *regexp.Regexp
	template bool // class refers to submatches
}

func compileRule(rule Rule) (compiledRule, error) {
	if rule.Class == "" {
		return compiledRule{}, errors.New("class is empty; name the class this rule assigns")
	}
	if rule.Match == "" {
		return compiledRule{}, errors.New("match is empty; give a regular expression (use \".\" to match anything)")
	}
	re, err := regexp.Compile(rule.Match)
	if err != nil {
		return compiledRule{}, fmt.Errorf("match %q is not a valid regular expression: %w", rule.Match, err)
	}
	return compiledRule{
		class:    rule.Class,
		header:   http.CanonicalHeaderKey(strings.TrimSpace(rule.Header)),
		re:       re,
		template: strings.Contains(rule.Class, "$"),
	}, nil
}

func (c compiledRule) classify(header http.Header, body []byte) (string, bool) {
	if c.header == "" {
		return c.result(body)
	}
	for _, v := range header.Values(c.header) {
		if class, ok := c.result([]byte(v)); ok {
			return class, true
		}
	}
	return "", false
}

func (c compiledRule) result(s []byte) (string, bool) {
	if !c.template {
		return c.class, c.re.Match(s)
	}
	m := c.re.FindSubmatchIndex(s)
	if m == nil {
		return "", false
	}
	return string(c.re.Expand(nil, []byte(c.class), s, m)), true
}

type compiled []compiledRule

func (c compiled) Classify(_ int, header http.Header, body []byte) string {
	for _, rule := range c {
		if class, ok := rule.classify(header, body); ok {
			return class
		}
	}
	return ""
}

// NeedsBody reports whether any rule looks at the response body, so callers
// can skip reading bodies when only headers matter.
func (r Rules) NeedsBody() bool {
	for _, rule := range r {
		if strings.TrimSpace(rule.Header) == "" {
			return true
		}
	}
	return false
}

// ParseRule parses the command-line form of a rule:
//
//	CLASS=REGEX              match REGEX against the body
//	CLASS=header:NAME=REGEX  match REGEX against the value of header NAME
func ParseRule(s string) (Rule, error) {
	class, rest, ok := strings.Cut(s, "=")
	if !ok || class == "" || rest == "" {
		return Rule{}, fmt.Errorf("classification rule %q: want CLASS=REGEX or CLASS=header:NAME=REGEX", s)
	}
	r := Rule{Class: class, Match: rest}
	if h, ok := strings.CutPrefix(rest, "header:"); ok {
		name, re, ok := strings.Cut(h, "=")
		if !ok || name == "" || re == "" {
			return Rule{}, fmt.Errorf("classification rule %q: header rules are CLASS=header:NAME=REGEX", s)
		}
		r.Header, r.Match = name, re
	}
	if _, err := compileRule(r); err != nil {
		return Rule{}, fmt.Errorf("classification rule %q: %w", s, err)
	}
	return r, nil
}
