package verify

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/labctl/labctl/loadgen/classify"
)

// SplitSpec sends requests to a target, sorts the responses into classes
// with a classifier from loadgen/classify, and tests the observed shares
// against Weights (see split_stats.go for the test and sample size).
type SplitSpec struct {
	Target
	// Classifier names a built-in classifier (classify.BuiltinNames); Rules
	// are inline rules. Set exactly one.
	Classifier string         `json:"classifier,omitempty"`
	Rules      classify.Rules `json:"rules,omitempty"`
	// Weights maps class → weight; weights are normalised, so 80/10/10 and
	// 0.8/0.1/0.1 mean the same. A class with weight 0 must not appear.
	Weights map[string]float64 `json:"weights"`
	// Attempts bounds the retries (default 3); the sample size grows with it
	// so the miss rate of the whole check stays ≤ 1%.
	Attempts    int `json:"attempts,omitempty"`
	Concurrency int `json:"concurrency,omitempty"`
	// MaxUnmatched is the share of responses that may be errors, unclassified
	// or of classes without a weight (default 0.05).
	MaxUnmatched *float64 `json:"maxUnmatched,omitempty"`
}

// Split defaults.
const (
	defaultSplitAttempts     = 3
	defaultSplitConcurrency  = 8
	defaultSplitMaxUnmatched = 0.05
	// splitMinRate is the request rate the default timeout assumes: slow
	// enough for a laptop ingress, so a healthy lab never times out.
	splitMinRate = 20.0
	// splitSlack is added per attempt to the default timeout.
	splitSlack = 30 * time.Second
)

func (s *SplitSpec) validate() error {
	if err := s.Target.validate(); err != nil {
		return err
	}
	if (s.Classifier == "") == (len(s.Rules) == 0) {
		return fmt.Errorf("set exactly one of classifier (%s) or rules", strings.Join(classify.BuiltinNames(), ", "))
	}
	if s.Classifier != "" {
		if _, ok := classify.Builtin(s.Classifier); !ok {
			return fmt.Errorf("unknown classifier %q: use one of %s, or inline rules", s.Classifier, strings.Join(classify.BuiltinNames(), ", "))
		}
	} else if err := s.Rules.Validate(); err != nil {
		return err
	}
	if len(s.Weights) < 2 {
		return errors.New("weights needs at least two classes (give the others weight 0 to require they get no traffic)")
	}
	sum := 0.0
	for c, w := range s.Weights {
		if w < 0 || math.IsNaN(w) || math.IsInf(w, 0) {
			return fmt.Errorf("weight of class %q must be a non-negative number", c)
		}
		sum += w
	}
	if sum <= 0 {
		return errors.New("weights must not all be 0")
	}
	if s.Attempts < 0 || s.Attempts > 10 {
		return errors.New("attempts must be between 1 and 10")
	}
	if m := s.MaxUnmatched; m != nil && (*m < 0 || *m >= 0.5) {
		return errors.New("maxUnmatched must be a share in [0, 0.5)")
	}
	return nil
}

func (s *SplitSpec) attempts() int {
	if s.Attempts > 0 {
		return s.Attempts
	}
	return defaultSplitAttempts
}

func (s *SplitSpec) maxUnmatched() float64 {
	if s.MaxUnmatched != nil {
		return *s.MaxUnmatched
	}
	return defaultSplitMaxUnmatched
}

// shares returns the classes (by weight, then name) and normalised shares.
func (s *SplitSpec) shares() ([]string, []float64) {
	classes := sortedKeys(s.Weights)
	sort.SliceStable(classes, func(i, j int) bool { return s.Weights[classes[i]] > s.Weights[classes[j]] })
	sum := 0.0
	for _, w := range s.Weights {
		sum += w
	}
	p := make([]float64, len(classes))
	for i, c := range classes {
		p[i] = s.Weights[c] / sum
	}
	return classes, p
}

// requestsFor is how many requests one attempt sends: enough that n are
// classified even when maxUnmatched of them are not.
func requestsFor(n int, maxUnmatched float64) int {
	return int(math.Ceil(float64(n) / (1 - maxUnmatched)))
}

// defaultTimeout covers every attempt at splitMinRate requests per second.
func (s *SplitSpec) defaultTimeout() time.Duration {
	classes, p := s.shares()
	plan, err := planSplit(classes, p, s.attempts())
	if err != nil {
		return DefaultTimeout
	}
	per := time.Duration(float64(requestsFor(plan.n, s.maxUnmatched()))/splitMinRate*float64(time.Second)) + splitSlack
	return time.Duration(s.attempts()) * per
}

type splitProber struct {
	spec       *SplitSpec
	s          *sender
	classifier classify.Classifier
	plan       splitPlan
}

func newSplitProber(sp *SplitSpec, env *Env) (prober, error) {
	classes, p := sp.shares()
	plan, err := planSplit(classes, p, sp.attempts())
	if err != nil {
		return nil, permanent(err)
	}
	c, ok := classify.Builtin(sp.Classifier)
	if !ok {
		if c, err = sp.Rules.Compile(); err != nil {
			return nil, permanent(err)
		}
	}
	s, err := newSender(&sp.Target, env)
	if err != nil {
		return nil, err
	}
	return &splitProber{spec: sp, s: s, classifier: c, plan: plan}, nil
}

func (p *splitProber) close()           { p.s.close() }
func (p *splitProber) maxAttempts() int { return p.spec.attempts() }

func (p *splitProber) probe(ctx context.Context) (attempt, error) {
	total := requestsFor(p.plan.n, p.spec.maxUnmatched())
	conc := p.spec.Concurrency
	if conc == 0 {
		conc = defaultSplitConcurrency
	}
	resps := sendMany(ctx, p.s, total, conc)
	if ctx.Err() != nil {
		return attempt{}, fmt.Errorf("sent %d of %d requests to %s: %w", len(resps), total, p.s.describe(), ctx.Err())
	}
	index := map[string]int{}
	for i, c := range p.plan.classes {
		index[c] = i
	}
	counts := make([]int, len(p.plan.classes))
	unmatched := map[string]int{}
	for _, r := range resps {
		class := ""
		switch {
		case r.err != nil:
			unmatched["error"]++
			continue
		default:
			class = p.classifier.Classify(r.status, r.header, r.body)
		}
		if i, ok := index[class]; ok {
			counts[i]++
			continue
		}
		switch {
		case class != "":
			unmatched["class "+class]++
		case r.status != 200:
			unmatched["status "+strconv.Itoa(r.status)]++
		default:
			unmatched["unclassified"]++
		}
	}
	return p.evaluate(counts, unmatched, len(resps)), nil
}

func (p *splitProber) evaluate(counts []int, unmatched map[string]int, total int) attempt {
	a := attempt{expected: p.expected()}
	bad := 0
	for _, n := range unmatched {
		bad += n
	}
	verdicts, pass := p.plan.test(counts)
	var obs []string
	for _, v := range verdicts {
		obs = append(obs, fmt.Sprintf("%s %.1f%% (%d)", v.class, 100*v.observed, v.count))
	}
	if bad > 0 {
		obs = append(obs, fmt.Sprintf("unmatched %d (%s)", bad, formatCounts(unmatched)))
	}
	a.observed = fmt.Sprintf("%s of %d responses", strings.Join(obs, ", "), total)
	if share := float64(bad) / float64(max(total, 1)); share > p.spec.maxUnmatched() {
		a.message = fmt.Sprintf("%s of the responses from %s could not be classified into %s (allowed %s): %s",
			pct(round3(share)), p.s.describe(), strings.Join(p.plan.classes, ", "), pct(p.spec.maxUnmatched()), formatCounts(unmatched))
		return a
	}
	if pass {
		a.pass = true
		return a
	}
	var off []string
	for _, v := range verdicts {
		if v.reject {
			off = append(off, fmt.Sprintf("%s got %.1f%%, expected %s (accepted %.1f%%–%.1f%% for this sample)",
				v.class, 100*v.observed, pct(round3(v.expect)), 100*v.minShare, 100*v.maxShare))
		}
	}
	a.message = "traffic split differs from the weights: " + strings.Join(off, "; ")
	return a
}

func (p *splitProber) expected() string {
	parts := make([]string, len(p.plan.classes))
	for i, c := range p.plan.classes {
		parts[i] = fmt.Sprintf("%s %s", c, pct(round3(p.plan.p0[i])))
	}
	return fmt.Sprintf("%s (exact binomial test per class, false-alarm ≤ %s, %s power against ±%s; %d classified responses per attempt)",
		strings.Join(parts, ", "), pct(SplitAlpha), pct(SplitPower), pct(SplitDelta), p.plan.n)
}

func round3(f float64) float64 { return math.Round(f*1000) / 1000 }
