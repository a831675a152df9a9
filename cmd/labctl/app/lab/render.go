package lab

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/charmbracelet/glamour"
	"golang.org/x/term"
)

// maxWrap bounds the line width Markdown is wrapped at on a terminal.
const maxWrap = 100

// Markdown renders a step's Markdown for one command's output: for the
// terminal (glamour) when Width > 0, else as plain Markdown (glamour pads
// every line to the wrap width, which is noise in files and pipes).
type Markdown struct {
	// Width is the wrap width on a terminal; 0 writes plain Markdown.
	Width int
}

// MarkdownFor decides how to render for out, the command's stdout: for
// the terminal when out is one and NO_COLOR is unset (and TERM is not
// dumb). The decision is made on the stdout itself because the text is
// rendered into a buffer first (cli.PrintData redacts it) and only then
// written there.
func MarkdownFor(out io.Writer) Markdown {
	f, ok := out.(*os.File)
	if !ok || os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" || !term.IsTerminal(int(f.Fd())) {
		return Markdown{}
	}
	width := maxWrap
	if cols, _, err := term.GetSize(int(f.Fd())); err == nil && cols > 20 && cols-2 < width {
		width = cols - 2
	}
	return Markdown{Width: width}
}

// Render writes md to w. The glamour style is $GLAMOUR_STYLE, default dark.
func (m Markdown) Render(w io.Writer, md string) error {
	if m.Width <= 0 {
		if !strings.HasSuffix(md, "\n") {
			md += "\n"
		}
		_, err := io.WriteString(w, md)
		return err
	}
	// "auto" would query the terminal's background colour and wait up to
	// 5 s for terminals that do not answer: default to dark, and let
	// GLAMOUR_STYLE (light, dracula, notty, a JSON file) choose.
	style := os.Getenv("GLAMOUR_STYLE")
	if style == "" {
		style = "dark"
	}
	r, err := glamour.NewTermRenderer(glamour.WithStylePath(style), glamour.WithWordWrap(m.Width))
	if err != nil {
		return fmt.Errorf("rendering Markdown: %w", err)
	}
	out, err := r.Render(md)
	if err != nil {
		return fmt.Errorf("rendering Markdown: %w", err)
	}
	_, err = io.WriteString(w, out)
	return err
}
