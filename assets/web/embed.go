package web

import _ "embed" // for go:embed

// UPlotVersion is the version of the embedded uPlot files.
const UPlotVersion = "1.6.32"

// UPlotJS is uPlot's minified browser build (defines the global uPlot).
//
//go:embed uplot.iife.min.js
var UPlotJS string

// UPlotCSS is uPlot's stylesheet.
//
//go:embed uplot.min.css
var UPlotCSS string

// LoadReportTemplate is the html/template of the load report. It expects
// .Title, .Summary (text), .CSS, .JS and .Data (JSON for the charts).
//
//go:embed load-report.html.tmpl
var LoadReportTemplate string
