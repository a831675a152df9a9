package cli

import (
	"io"
	"os"

	"golang.org/x/term"
)

// IsSmartTerminal reports whether w is an interactive terminal that may show
// spinners and colour: a tty, NO_COLOR unset, TERM not "dumb" and CI unset.
func IsSmartTerminal(w io.Writer) bool {
	return isSmartTerminal(w, os.Getenv)
}

func isSmartTerminal(w io.Writer, getenv func(string) string) bool {
	if getenv("NO_COLOR") != "" || getenv("TERM") == "dumb" || getenv("CI") != "" {
		return false
	}
	f, ok := w.(interface{ Fd() uintptr })
	if !ok {
		return false
	}
	return term.IsTerminal(int(f.Fd()))
}
