package main

import "github.com/labctl/labctl/labs"

// stepAllowances returns the analyzer messages a step declares on purpose.
// The lab format has no field for them yet (asked for as Step.IstioMessages
// in ../../_notes/LABFORMAT-CHANGES-REQUEST.md of the session); until it
// has, no step can declare one and every Error or Warning fails.
func stepAllowances(labs.Step) []Allowance { return nil }
