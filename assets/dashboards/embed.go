package dashboards

import (
	"embed"

	"github.com/labctl/labctl/internal/embedfs"
)

//go:embed *.json
var FS embed.FS

// Names lists the dashboards (file names without .json), sorted.
func Names() []string { return embedfs.Names(FS, ".", ".json") }

// Get returns the JSON of the dashboard called name.
func Get(name string) ([]byte, error) { return embedfs.Read(FS, ".", ".json", "dashboard", name) }
