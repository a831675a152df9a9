// Package report renders a load result as a self-contained HTML page:
// latency over time, a latency histogram, status codes (and classes) over
// time, drawn with the uPlot library embedded from assets/web, so the file
// works offline and can be attached to a CI run.
package report
