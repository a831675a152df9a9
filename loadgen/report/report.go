package report

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/labctl/labctl/assets/web"
	"github.com/labctl/labctl/internal/redact"
	"github.com/labctl/labctl/loadgen"
)

var page = template.Must(template.New("load-report").Parse(web.LoadReportTemplate))

// chartData is what the page's script reads (as JSON).
type chartData struct {
	Subtitle  string               `json:"subtitle"`
	Cards     [][2]string          `json:"cards"`
	Warnings  []string             `json:"warnings"`
	Series    series               `json:"series"`
	Histogram histogram            `json:"histogram"`
	CodeKeys  []string             `json:"codeKeys"`
	Codes     map[string][]float64 `json:"codes"`
	ClassKeys []string             `json:"classKeys"`
	Classes   map[string][]float64 `json:"classes"`
}

type series struct {
	T   []float64 `json:"t"`
	P50 []float64 `json:"p50"`
	P90 []float64 `json:"p90"`
	P99 []float64 `json:"p99"`
	Max []float64 `json:"max"`
}

type histogram struct {
	X     []float64 `json:"x"`
	Count []float64 `json:"count"`
	Log   bool      `json:"log"` // log-spaced bins, drawn on a log axis
}

// WriteHTML writes the report page of r to w.
func WriteHTML(w io.Writer, r *loadgen.Result, title string) error {
	var summary bytes.Buffer
	if err := r.Summary(&summary); err != nil {
		return err
	}
	if title == "" {
		title = "Load report: " + redact.URL(r.URL)
	}
	err := page.Execute(w, map[string]any{
		"Title":   title,
		"Summary": summary.String(),
		"CSS":     template.CSS(web.UPlotCSS), //nolint:gosec // our own embedded asset
		"JS":      template.JS(web.UPlotJS),   //nolint:gosec // our own embedded asset
		"Data":    build(r),
	})
	if err != nil {
		return fmt.Errorf("render HTML report: %w", err)
	}
	return nil
}

func build(r *loadgen.Result) chartData {
	d := chartData{
		Subtitle: fmt.Sprintf("%s %s — started %s", r.Method(), redact.URL(r.URL), r.StartTime.Format(time.RFC3339)),
		Warnings: r.Labctl.Warnings,
		Codes:    map[string][]float64{},
		Classes:  map[string][]float64{},
	}
	target := "max"
	if r.Labctl.TargetRPS > 0 {
		target = strconv.FormatFloat(r.Labctl.TargetRPS, 'f', -1, 64)
	}
	errs := int64(0)
	for code, n := range r.RetCodes {
		if code < 200 || code > 299 {
			errs += n
		}
	}
	d.Cards = [][2]string{
		{"requests", strconv.FormatInt(r.Count(), 10)},
		{"achieved req/s (target " + target + ")", strconv.FormatFloat(math.Round(r.ActualQPS*10)/10, 'f', -1, 64)},
		{"errors", strconv.FormatInt(errs, 10)},
		{"p50", loadgen.FormatDuration(r.Percentile(50))},
		{"p99", loadgen.FormatDuration(r.Percentile(99))},
		{"duration", loadgen.FormatDuration(r.ActualDuration)},
	}
	codes, classes := map[string]bool{}, map[string]bool{}
	for _, p := range r.Labctl.Series {
		for c := range p.Codes {
			codes[strconv.Itoa(c)] = true
		}
		for c := range p.Classes {
			classes[c] = true
		}
	}
	d.CodeKeys = slices.Sorted(maps.Keys(codes))
	d.ClassKeys = slices.Sorted(maps.Keys(classes))
	for _, p := range r.Labctl.Series {
		d.Series.T = append(d.Series.T, round(p.T, 3))
		d.Series.P50 = append(d.Series.P50, ms(p.P50))
		d.Series.P90 = append(d.Series.P90, ms(p.P90))
		d.Series.P99 = append(d.Series.P99, ms(p.P99))
		d.Series.Max = append(d.Series.Max, ms(p.Max))
		per := func(n int64) float64 {
			if p.Duration <= 0 {
				return 0
			}
			return round(float64(n)/p.Duration, 2)
		}
		for _, k := range d.CodeKeys {
			c, _ := strconv.Atoi(k)
			d.Codes[k] = append(d.Codes[k], per(p.Codes[c]))
		}
		for _, k := range d.ClassKeys {
			d.Classes[k] = append(d.Classes[k], per(p.Classes[k]))
		}
	}
	d.Histogram = bins(r)
	return d
}

// bins regroups the latency histogram into at most 60 display bins, log
// spaced when latencies span more than a factor of 20.
func bins(r *loadgen.Result) histogram {
	var h histogram
	hd := r.DurationHistogram
	if hd == nil || hd.Count == 0 || len(hd.Data) == 0 {
		return h
	}
	lo, hi := hd.Data[0].Start, hd.Data[len(hd.Data)-1].End
	if hi <= lo {
		hi = lo + 1e-6
	}
	const n = 60
	logScale := lo > 0 && hi/lo > 20
	edge := func(i int) float64 {
		f := float64(i) / n
		if logScale {
			return lo * math.Pow(hi/lo, f)
		}
		return lo + (hi-lo)*f
	}
	// Spread each bucket's count over the display bins it overlaps.
	counts := make([]float64, n)
	for _, b := range hd.Data {
		if b.End <= b.Start {
			i := 0
			for i < n-1 && edge(i+1) <= b.Start {
				i++
			}
			counts[i] += float64(b.Count)
			continue
		}
		for i := range n {
			overlap := min(edge(i+1), b.End) - max(edge(i), b.Start)
			if overlap > 0 {
				counts[i] += float64(b.Count) * overlap / (b.End - b.Start)
			}
		}
	}
	for i := range counts {
		counts[i] = round(counts[i], 2)
	}
	h.Log = logScale
	for i := range n {
		h.X = append(h.X, ms(edge(i)))
		h.Count = append(h.Count, counts[i])
	}
	return h
}

func ms(s float64) float64 { return round(s*1000, 3) }

func round(v float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(v*p) / p
}
