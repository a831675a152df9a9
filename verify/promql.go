package verify

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/api"
	promv1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"
)

// PromQLSpec runs an instant query and compares its value: every returned
// series must satisfy the comparison. `$window` in queries is replaced by
// Window, so `rate(istio_requests_total[$window])` follows the check's window.
type PromQLSpec struct {
	Query string `json:"query"`
	// Window replaces $window in the queries (default 1m).
	Window Duration `json:"window,omitempty"`
	// Op and Value: value Op Value, with Op one of > >= < <= ==.
	Op    string   `json:"op,omitempty"`
	Value *float64 `json:"value,omitempty"`
	// Between [lo, hi], inclusive.
	Between []float64 `json:"between,omitempty"`
	// Ratio: Query / Ratio.Denominator within Expected ± Tolerance; both
	// queries must return one value (wrap them in sum()).
	Ratio *PromRatio `json:"ratio,omitempty"`
}

// PromRatio compares the ratio of two queries with an expected value.
type PromRatio struct {
	Denominator string  `json:"denominator"`
	Expected    float64 `json:"expected"`
	Tolerance   float64 `json:"tolerance"`
}

const defaultPromWindow = time.Minute

// hintNoSamples is the message for an empty query result.
const hintNoSamples = "the query returned no samples: is traffic flowing, and is Prometheus scraping the workloads (check its targets page)?"

func (q *PromQLSpec) validate() error {
	if strings.TrimSpace(q.Query) == "" {
		return errors.New("query is required")
	}
	n := 0
	if q.Op != "" || q.Value != nil {
		n++
		switch q.Op {
		case ">", ">=", "<", "<=", "==":
		default:
			return fmt.Errorf("op %q: use one of >, >=, <, <=, ==", q.Op)
		}
		if q.Value == nil {
			return fmt.Errorf("op %s needs value", q.Op)
		}
	}
	if q.Between != nil {
		n++
		if len(q.Between) != 2 || q.Between[0] > q.Between[1] {
			return errors.New("between needs [lo, hi] with lo <= hi")
		}
	}
	if q.Ratio != nil {
		n++
		if strings.TrimSpace(q.Ratio.Denominator) == "" || q.Ratio.Tolerance < 0 {
			return errors.New("ratio needs a denominator query and a non-negative tolerance")
		}
	}
	if n != 1 {
		return errors.New("set exactly one comparison: op+value, between or ratio")
	}
	return nil
}

func (q *PromQLSpec) expand(query string) string {
	w := q.Window.Duration
	if w == 0 {
		w = defaultPromWindow
	}
	return strings.ReplaceAll(query, "$window", model.Duration(w).String())
}

type promProber struct {
	spec *PromQLSpec
	env  *Env
}

func newPromQLProber(q *PromQLSpec, env *Env) (prober, error) {
	if env.Prometheus == nil {
		return nil, errMissing("Prometheus", "pass --prometheus-url (e.g. from a port-forward to prometheus.istio-system:9090)")
	}
	return promProber{spec: q, env: env}, nil
}

func (p promProber) expected() string {
	q := p.spec
	switch {
	case q.Ratio != nil:
		return fmt.Sprintf("ratio %s ± %s", fmtFloat(q.Ratio.Expected), fmtFloat(q.Ratio.Tolerance))
	case q.Between != nil:
		return fmt.Sprintf("between %s and %s", fmtFloat(q.Between[0]), fmtFloat(q.Between[1]))
	}
	return q.Op + " " + fmtFloat(*q.Value)
}

func (p promProber) probe(ctx context.Context) (attempt, error) {
	ctx, cancel := context.WithTimeout(ctx, apiTimeout)
	defer cancel()
	base, err := p.env.Prometheus(ctx)
	if err != nil {
		return attempt{}, fmt.Errorf("reaching Prometheus: %w", err)
	}
	client, err := api.NewClient(api.Config{Address: base, Client: p.env.httpClient()})
	if err != nil {
		return attempt{}, permanent(fmt.Errorf("Prometheus URL %q: %w", base, err))
	}
	papi := promv1.NewAPI(client)
	a := attempt{expected: p.expected()}
	samples, err := p.query(ctx, papi, p.spec.expand(p.spec.Query), base)
	if err != nil {
		return attempt{}, err
	}
	if len(samples) == 0 {
		a.observed, a.message = "no samples", hintNoSamples
		return a, nil
	}
	if r := p.spec.Ratio; r != nil {
		den, err := p.query(ctx, papi, p.spec.expand(r.Denominator), base)
		if err != nil {
			return attempt{}, err
		}
		if len(den) == 0 {
			a.observed, a.message = "denominator: no samples", hintNoSamples
			return a, nil
		}
		if len(samples) != 1 || len(den) != 1 {
			return attempt{}, permanent(fmt.Errorf("ratio queries must return one value each (got %d and %d series): wrap them in sum()", len(samples), len(den)))
		}
		ratio := samples[0].value / den[0].value
		a.observed = fmt.Sprintf("%s (%s / %s)", fmtFloat(ratio), fmtFloat(samples[0].value), fmtFloat(den[0].value))
		if math.IsNaN(ratio) || math.Abs(ratio-r.Expected) > r.Tolerance {
			a.message = fmt.Sprintf("ratio %s is outside %s ± %s", fmtFloat(ratio), fmtFloat(r.Expected), fmtFloat(r.Tolerance))
			return a, nil
		}
		a.pass = true
		return a, nil
	}
	var obs, bad []string
	for _, s := range samples {
		item := fmtFloat(s.value)
		if s.labels != "" {
			item = s.labels + " " + item
		}
		obs = append(obs, item)
		if !p.compare(s.value) {
			bad = append(bad, item)
		}
	}
	a.observed = strings.Join(firstN(obs, 5), "; ")
	if len(bad) > 0 {
		a.message = fmt.Sprintf("%d of %d series not %s: %s", len(bad), len(samples), p.expected(), strings.Join(firstN(bad, 3), "; "))
		return a, nil
	}
	a.pass = true
	return a, nil
}

func (p promProber) compare(v float64) bool {
	q := p.spec
	if math.IsNaN(v) {
		return false
	}
	if q.Between != nil {
		return v >= q.Between[0] && v <= q.Between[1]
	}
	w := *q.Value
	switch q.Op {
	case ">":
		return v > w
	case ">=":
		return v >= w
	case "<":
		return v < w
	case "<=":
		return v <= w
	}
	return v == w
}

type promSample struct {
	labels string
	value  float64
}

func (p promProber) query(ctx context.Context, papi promv1.API, query, base string) ([]promSample, error) {
	val, _, _, err := papi.Query(ctx, query, time.Now())
	if err != nil {
		var perr *promv1.Error
		if errors.As(err, &perr) && perr.Type == promv1.ErrBadData {
			return nil, permanent(fmt.Errorf("query %q is not valid PromQL: %s", query, perr.Msg))
		}
		return nil, fmt.Errorf("querying Prometheus at %s: %w", base, err)
	}
	switch v := val.(type) {
	case model.Vector:
		out := make([]promSample, 0, len(v))
		for _, s := range v {
			labels := ""
			if len(s.Metric) > 0 {
				labels = s.Metric.String()
			}
			out = append(out, promSample{labels: labels, value: float64(s.Value)})
		}
		return out, nil
	case *model.Scalar:
		return []promSample{{value: float64(v.Value)}}, nil
	}
	return nil, permanent(fmt.Errorf("query %q returned a %s; checks need an instant vector or scalar", query, val.Type()))
}

func fmtFloat(f float64) string { return strconv.FormatFloat(f, 'g', 6, 64) }
