package main

import "github.com/labctl/labctl/labs"

// stepAllowances returns the analyzer messages a step declares on purpose
// (Step.IstioMessages).
func stepAllowances(st labs.Step) []Allowance {
	var out []Allowance
	for _, m := range st.IstioMessages {
		out = append(out, Allowance{Code: m.Code, Resource: m.Resource})
	}
	return out
}
