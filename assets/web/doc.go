// Package web holds the static assets labctl embeds in its binary so that
// generated reports work offline: the uPlot charting library (MIT, see
// LICENSE.uplot; version in UPlotVersion) and the load report template.
//
// To update uPlot: `npm pack uplot@VERSION`, copy dist/uPlot.iife.min.js and
// dist/uPlot.min.css here under the lower-case names, and bump UPlotVersion.
package web
