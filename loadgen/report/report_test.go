package report

import (
	"bytes"
	"context"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/labctl/labctl/loadgen"
	"github.com/labctl/labctl/loadgen/classify"
)

// run makes a real short run with 200s, 503s and two classes.
func run(t *testing.T) *loadgen.Result {
	t.Helper()
	var n atomic.Int64
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		i := n.Add(1)
		time.Sleep(time.Duration(i%7) * time.Millisecond)
		if i%10 == 0 {
			http.Error(w, "overloaded", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("X-Version", "v"+strconv.FormatInt(1+i%2, 10))
	}))
	t.Cleanup(s.Close)
	c, _ := classify.Builtin(classify.TravelsVersion)
	r, err := loadgen.Run(context.Background(), loadgen.Options{
		URL: s.URL, RPS: 200, Duration: 1500 * time.Millisecond, Interval: 100 * time.Millisecond,
		Classifier: c, ClassifierName: classify.TravelsVersion,
	})
	require.NoError(t, err)
	return r
}

func TestWriteHTMLSelfContained(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, WriteHTML(&b, run(t), ""))
	html := b.String()
	assert.Contains(t, html, "uPlot")
	for _, id := range []string{"chart-latency", "chart-histogram", "chart-codes"} {
		assert.Contains(t, html, `id="`+id+`"`)
	}
	assert.NotRegexp(t, `(?i)<script[^>]+src=|<link[^>]+href=`, html, "no external assets: the report works offline")
	assert.Contains(t, html, `"codeKeys":["200","503"]`)
}

// TestHTMLRendersInChromium opens the report in headless Chromium, saves a
// screenshot and checks from the live DOM that the three charts were drawn
// with data.
func TestHTMLRendersInChromium(t *testing.T) {
	chrome := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			chrome = p
			break
		}
	}
	if chrome == "" {
		t.Skip("chromium not installed (Debian: apt-get install -y chromium); skipping the browser rendering test")
	}
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	f, err := os.Create(page)
	require.NoError(t, err)
	require.NoError(t, WriteHTML(f, run(t), "Chromium test"))
	require.NoError(t, f.Close())

	shotDir := os.Getenv("LABCTL_ARTIFACTS")
	if shotDir == "" {
		shotDir = dir
	}
	shot := filepath.Join(shotDir, "load-report.png")
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--hide-scrollbars", "--virtual-time-budget=5000", "--window-size=1200,1500"}
	chromium := func(args ...string) []byte {
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		all := append(append(base[:len(base):len(base)], "--user-data-dir="+t.TempDir()), args...)
		out, err := exec.CommandContext(ctx, chrome, append(all, "file://"+page)...).Output()
		require.NoError(t, err, "chromium %v", args)
		return out
	}

	dom := string(chromium("--dump-dom"))
	assert.NotContains(t, dom, "data-js-error", "no script errors")
	assert.Contains(t, dom, `data-charts-rendered="4"`, "latency, histogram, codes and classes charts drawn")
	for _, chart := range []string{"latency", "histogram", "codes"} {
		m := regexp.MustCompile(`data-chart="` + chart + `"[^>]*data-points="(\d+)"[^>]*data-rendered="true"[^>]*>\s*<div class="uplot` +
			`.*?<canvas width="[1-9]\d*" height="[1-9]\d*"`).FindStringSubmatch(dom)
		require.NotNil(t, m, "chart %s not rendered by uPlot", chart)
		n, _ := strconv.Atoi(m[1])
		assert.Greater(t, n, 5, "chart %s has data points", chart)
	}
	assert.Equal(t, 4+0, len(regexp.MustCompile(`<canvas`).FindAllString(dom, -1)), "one canvas per chart")

	chromium("--screenshot=" + shot)
	t.Logf("screenshot: %s", shot)
	pf, err := os.Open(shot)
	require.NoError(t, err)
	defer pf.Close()
	img, err := png.Decode(pf)
	require.NoError(t, err)
	// The p50 line and histogram bars are #2680c2; 503s are #e12d39.
	blue, red := 0, 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			r, g, bl = r>>8, g>>8, bl>>8
			if near(r, 0x26) && near(g, 0x80) && near(bl, 0xc2) {
				blue++
			}
			if near(r, 0xe1) && near(g, 0x2d) && near(bl, 0x39) {
				red++
			}
		}
	}
	assert.Greater(t, blue, 500, "blue chart pixels in the screenshot")
	assert.Greater(t, red, 100, "red chart pixels in the screenshot")
}

func near(a, b uint32) bool { return a+12 >= b && b+12 >= a }
