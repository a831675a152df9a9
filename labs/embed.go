package labs

import (
	"embed"
	"io/fs"
)

// builtinFS holds the built-in labs: every folder below that holds a
// lab.yaml is a lab. To ship a new tree of labs (labs/bookinfo, ...), add
// `all:NAME` to the directive below; nothing else needs to change. A
// pattern must match an existing folder, so add it with the first lab.
//
//go:embed all:samples all:bookinfo all:travels all:boutique
var builtinFS embed.FS

// builtinPrefix marks Lab.Source of embedded labs.
const builtinPrefix = "builtin:"

// Builtin returns the embedded lab tree (paths like samples/NAME/lab.yaml).
func Builtin() fs.FS { return builtinFS }
