// Package labs is the lab format: the Go types of lab.yaml, loading labs
// from the built-in tree and from authors' folders, validation (lint) with
// file:line for every problem, and the Markdown include directive that
// keeps instructions and solutions from drifting apart.
//
// A lab is a folder holding lab.yaml (apiVersion labctl.dev/v1alpha1, kind
// Lab), Markdown files for the instructions and manifest files the actions
// apply. Built-in labs are embedded from labs/ (see embed.go); authors add
// their own folders with --labs DIR or LABCTL_LABS.
//
// Actions are typed (apply, delete, label, unlabel, rolloutRestart, scale,
// wait, traffic, load, waypoint, exec): the format has no host shell, and a
// manifest path that escapes the lab folder is an error.
//
// The package touches no cluster and prints nothing; labs/engine runs the
// labs, and cmd/labctl/app/lab renders them.
package labs
