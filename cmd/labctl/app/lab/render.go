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

// RenderMarkdown writes md to w: rendered for the terminal (glamour) when
// w is one and NO_COLOR is unset (style: $GLAMOUR_STYLE, default dark), else as plain Markdown (glamour pads
// every line to the wrap width, which is noise in files and pipes).
func RenderMarkdown(w io.Writer, md string) error {
	f, ok := w.(*os.File)
	if !ok || os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" || !term.IsTerminal(int(f.Fd())) {
		if !strings.HasSuffix(md, "\n") {
			md += "\n"
		}
		_, err := io.WriteString(w, md)
		return err
	}
	width := maxWrap
	if cols, _, err := term.GetSize(int(f.Fd())); err == nil && cols > 20 && cols-2 < width {
		width = cols - 2
	}
	// "auto" would query the terminal's background colour and wait up to
	// 5 s for terminals that do not answer: default to dark, and let
	// GLAMOUR_STYLE (light, dracula, notty, a JSON file) choose.
	style := os.Getenv("GLAMOUR_STYLE")
	if style == "" {
		style = "dark"
	}
	r, err := glamour.NewTermRenderer(glamour.WithStylePath(style), glamour.WithWordWrap(width))
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
