package load

import (
	"fmt"
	"io"
	"os"

	"github.com/labctl/labctl/internal/cli"
	"github.com/labctl/labctl/loadgen"
	"github.com/labctl/labctl/loadgen/report"
)

// writeOutputs prints the report on stdout (-o text|json|yaml) and writes
// the --json and --html files.
func writeOutputs(d *cli.Deps, f *flagpole, res *loadgen.Result) error {
	if f.jsonFile != "" {
		if err := writeFile(d, f.jsonFile, res.WriteJSON); err != nil {
			return fmt.Errorf("--json: %w", err)
		}
	}
	if f.htmlFile != "" {
		if err := writeFile(d, f.htmlFile, func(w io.Writer) error { return report.WriteHTML(w, res, "") }); err != nil {
			return fmt.Errorf("--html: %w", err)
		}
	}
	if f.jsonFile == "-" {
		return nil
	}
	return cli.PrintData(d.Streams.Out, d.Output, res, res.Summary)
}

func writeFile(d *cli.Deps, path string, write func(io.Writer) error) error {
	if path == "-" {
		return write(d.Streams.Out)
	}
	file, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(file); err != nil {
		_ = file.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := file.Close(); err != nil {
		return err
	}
	d.Log.V(0).Infof("wrote %s", path)
	return nil
}
