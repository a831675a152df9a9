// Package progress is how libraries report what they are doing: a leveled
// Logger (modelled on kind's pkg/log) and a Status of named tasks that start
// and end. Libraries take these interfaces, never the command layer's types;
// internal/cli implements them for the terminal. Discard and NoStatus are the
// no-op defaults, and OrDiscard and OrNoStatus turn a nil interface into one,
// so code holding a Logger or Status never checks for nil.
package progress
