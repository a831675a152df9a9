// Package strictyaml is labctl's one decoder for the YAML files people write:
// stack files, check sets and labs.
//
// It decodes a document into a Go struct with json tags and refuses what a
// typo or a hostile file would otherwise slip through: unknown fields (with a
// "did you mean" suggestion), values of the wrong type, duplicate keys, more
// than one document, files over a size cap and aliases that expand past a
// budget. Every problem names the file, the line and the field path
// (checks[0].http.expect) and, inside a list item with a `name:`, that name;
// all problems of a file are reported at once
// (an *Error holding []Problem), so a linter can list them together.
//
// The work is linear in the size of the input: duplicate keys are found with
// a map, aliases are counted as they are expanded, and the YAML library's own
// (quadratic) mapping decoder is never used.
package strictyaml
