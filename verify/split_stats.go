package verify

import (
	"errors"
	"fmt"
	"math"
	"sync"
)

// The split check's error guarantees. They are fixed on purpose: labs must
// not be able to trade trustworthiness for speed.
const (
	// SplitAlpha is the false-alarm rate: the chance that a check fails
	// although traffic is split exactly as configured.
	SplitAlpha = 0.001
	// SplitPower is the chance that a check fails when any class's share is
	// off by SplitDelta or more.
	SplitPower = 0.99
	// SplitDelta is the smallest deviation (as a share) the check must catch.
	SplitDelta = 0.10
)

// The test
//
// For k classes with expected shares p0_i, the check counts the classes of m
// classified responses and runs, per class, an exact two-sided binomial test
// of H0: share_i = p0_i. Class i rejects when its count x_i lies in a tail of
// Binomial(m, p0_i) whose probability is at most α/(2k) (Bonferroni over k
// classes and two tails). The check fails when any class rejects, so under a
// true split the false-alarm rate is at most Σ 2·α/(2k) = α = 0.1%. Exact
// tails make the bound hold for every m; a normal approximation would not in
// the skewed tails of small shares. Classes expected at 0% (or 100%) reject
// on any response in (out of) them: that never fires under H0.
//
// Why not a chi-square goodness-of-fit test: its power depends on the whole
// alternative vector, so "a 10-point deviation in any class" has no single
// noncentrality; the per-class test maps the requirement directly onto each
// class and tells the learner which class is off.
//
// Sample size
//
// With z(q) the standard normal quantile, β the allowed miss rate per
// attempt and δ = 0.10, the starting point is the normal-approximation
// sample size for a one-sample proportion test, maximised over classes i
// and directions p1 = p0_i ± δ (within [0, 1]):
//
//	n = max_i,± ⌈ ( z(1-α/(2k))·√(p0(1-p0)) + z(1-β)·√(p1(1-p1)) ) / δ ⌉²
//
// planSplit then checks the exact power of the exact test at n (binomial
// sums, no approximation) for every class and direction, and increases n
// until every power is ≥ 1-β. For 80/10/10 with 3 attempts that is about
// 700 responses per attempt.
//
// Retries
//
// A check retries (the route may still be propagating), so it passes if any
// of its attempts passes. Each attempt gets β = (1-SplitPower)/attempts, so by
// the union bound the chance that a wrong split passes some attempt is
// still ≤ 1%; the false-alarm rate of the whole check is the rate of all
// attempts failing, ≤ α.

// splitPlan is the sample size and test for a set of expected shares.
type splitPlan struct {
	classes []string
	p0      []float64
	// n is the number of classified responses an attempt needs.
	n int
	// tail is the per-class, per-tail significance level α/(2k).
	tail float64
	// beta is the allowed miss rate of one attempt.
	beta float64
	// cache memoises bounds by share and sample size.
	cache *sync.Map
}

type boundsKey struct {
	p float64
	m int
}

// planSplit derives the sample size for the expected shares (summing to 1)
// and the number of attempts.
func planSplit(classes []string, p0 []float64, attempts int) (splitPlan, error) {
	if len(classes) != len(p0) || len(classes) < 2 {
		return splitPlan{}, errors.New("a split needs at least two classes")
	}
	k := 0
	for _, p := range p0 {
		if p > eps && p < 1-eps {
			k++
		}
	}
	if k == 0 {
		k = 1
	}
	plan := splitPlan{
		classes: classes, p0: p0,
		tail:  SplitAlpha / float64(2*k),
		beta:  (1 - SplitPower) / float64(max(attempts, 1)),
		cache: &sync.Map{},
	}
	zA := zUpper(plan.tail)
	zB := zUpper(plan.beta)
	n0 := 1.0
	for _, p := range p0 {
		for _, p1 := range alternatives(p) {
			v := (zA*math.Sqrt(p*(1-p)) + zB*math.Sqrt(p1*(1-p1))) / SplitDelta
			n0 = math.Max(n0, math.Ceil(v*v))
		}
	}
	for n := int(n0); n <= 4*int(n0)+100; n++ {
		if plan.minPower(n) >= 1-plan.beta {
			plan.n = n
			return plan, nil
		}
	}
	return splitPlan{}, fmt.Errorf("no sample size up to %d reaches power %.2f", 4*int(n0)+100, 1-plan.beta)
}

const eps = 1e-9

// alternatives are the shares δ away from p that are still shares.
func alternatives(p float64) []float64 {
	var out []float64
	for _, p1 := range []float64{p - SplitDelta, p + SplitDelta} {
		if p1 >= -eps && p1 <= 1+eps {
			out = append(out, math.Min(math.Max(p1, 0), 1))
		}
	}
	return out
}

// minPower is the smallest exact power over all classes and directions
// when m responses are classified.
func (s splitPlan) minPower(m int) float64 {
	lowest := 1.0
	for _, p := range s.p0 {
		lo, hi := s.bounds(p, m)
		for _, p1 := range alternatives(p) {
			pw := binomCDF(lo, m, p1) + binomSF(hi, m, p1)
			lowest = math.Min(lowest, pw)
		}
	}
	return lowest
}

// bounds returns the rejection region for share p and m responses: reject
// when x <= lo or x >= hi (lo = -1 / hi = m+1 mean "never").
func (s splitPlan) bounds(p float64, m int) (lo, hi int) {
	if v, ok := s.cache.Load(boundsKey{p, m}); ok {
		b := v.([2]int)
		return b[0], b[1]
	}
	lo, hi = s.computeBounds(p, m)
	s.cache.Store(boundsKey{p, m}, [2]int{lo, hi})
	return lo, hi
}

func (s splitPlan) computeBounds(p float64, m int) (lo, hi int) {
	switch {
	case p <= eps:
		return -1, 1
	case p >= 1-eps:
		return m - 1, m + 1
	}
	pmf := binomPMF(m, p)
	lo, cum := -1, 0.0
	for x := 0; x <= m; x++ {
		cum += pmf[x]
		if cum > s.tail {
			break
		}
		lo = x
	}
	hi, cum = m+1, 0.0
	for x := m; x >= 0; x-- {
		cum += pmf[x]
		if cum > s.tail {
			break
		}
		hi = x
	}
	return lo, hi
}

// classVerdict is the test result for one class.
type classVerdict struct {
	class            string
	count            int
	observed, expect float64
	// accepted range of shares for this class.
	minShare, maxShare float64
	reject             bool
}

// test applies the plan to observed counts (in plan.classes order).
func (s splitPlan) test(counts []int) (verdicts []classVerdict, pass bool) {
	m := 0
	for _, c := range counts {
		m += c
	}
	pass = m > 0
	for i, p := range s.p0 {
		lo, hi := s.bounds(p, m)
		v := classVerdict{class: s.classes[i], count: counts[i], expect: p,
			minShare: float64(lo+1) / float64(max(m, 1)), maxShare: float64(min(hi-1, m)) / float64(max(m, 1))}
		if m > 0 {
			v.observed = float64(counts[i]) / float64(m)
		}
		v.reject = counts[i] <= lo || counts[i] >= hi
		if v.reject {
			pass = false
		}
		verdicts = append(verdicts, v)
	}
	return verdicts, pass
}

// zUpper is the standard normal quantile z with P(Z > z) = q.
func zUpper(q float64) float64 { return math.Sqrt2 * math.Erfcinv(2*q) }

// binomPMF returns P(X = x) for x = 0..n, X ~ Binomial(n, p), computed in
// log space so large n does not underflow the whole row.
func binomPMF(n int, p float64) []float64 {
	out := make([]float64, n+1)
	switch {
	case p <= 0:
		out[0] = 1
		return out
	case p >= 1:
		out[n] = 1
		return out
	}
	lgN, _ := math.Lgamma(float64(n + 1))
	lp, lq := math.Log(p), math.Log1p(-p)
	for x := 0; x <= n; x++ {
		a, _ := math.Lgamma(float64(x + 1))
		b, _ := math.Lgamma(float64(n - x + 1))
		out[x] = math.Exp(lgN - a - b + float64(x)*lp + float64(n-x)*lq)
	}
	return out
}

// binomCDF is P(X <= x); binomSF is P(X >= x).
func binomCDF(x, n int, p float64) float64 {
	if x < 0 {
		return 0
	}
	pmf := binomPMF(n, p)
	s := 0.0
	for i := 0; i <= min(x, n); i++ {
		s += pmf[i]
	}
	return math.Min(s, 1)
}

func binomSF(x, n int, p float64) float64 {
	if x > n {
		return 0
	}
	pmf := binomPMF(n, p)
	s := 0.0
	for i := max(x, 0); i <= n; i++ {
		s += pmf[i]
	}
	return math.Min(s, 1)
}
