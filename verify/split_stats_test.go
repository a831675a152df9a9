package verify

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestZUpper(t *testing.T) {
	tests := []struct{ q, want float64 }{
		{0.5, 0}, {0.025, 1.959964}, {0.01, 2.326348}, {0.001, 3.090232}, {0.001 / 6, 3.587915},
	}
	for _, tt := range tests {
		assert.InDelta(t, tt.want, zUpper(tt.q), 1e-5, "q=%g", tt.q)
	}
}

func TestBinomialTails(t *testing.T) {
	// Binomial(10, 0.5): P(X <= 2) = 56/1024, P(X >= 9) = 11/1024.
	assert.InDelta(t, 56.0/1024, binomCDF(2, 10, 0.5), 1e-12)
	assert.InDelta(t, 11.0/1024, binomSF(9, 10, 0.5), 1e-12)
	sum := 0.0
	for _, p := range binomPMF(2000, 0.8) {
		sum += p
	}
	assert.InDelta(t, 1, sum, 1e-9, "the pmf of a large n must not underflow")
}

func TestPlanSplit(t *testing.T) {
	tests := []struct {
		name     string
		p0       []float64
		attempts int
	}{
		{"80/10/10 three attempts", []float64{0.8, 0.1, 0.1}, 3},
		{"80/10/10 one attempt", []float64{0.8, 0.1, 0.1}, 1},
		{"50/50", []float64{0.5, 0.5}, 3},
		{"100/0/0", []float64{1, 0, 0}, 3},
		{"34/33/33", []float64{0.34, 0.33, 0.33}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			classes := make([]string, len(tt.p0))
			for i := range classes {
				classes[i] = fmt.Sprintf("v%d", i+1)
			}
			plan, err := planSplit(classes, tt.p0, tt.attempts)
			require.NoError(t, err)
			// The exact power at n meets the requirement for every class and
			// direction, and the exact false-alarm bound holds per tail.
			assert.GreaterOrEqual(t, plan.minPower(plan.n), 1-plan.beta)
			for _, p := range tt.p0 {
				lo, hi := plan.bounds(p, plan.n)
				assert.LessOrEqual(t, binomCDF(lo, plan.n, p)+binomSF(hi, plan.n, p), 2*plan.tail+1e-15)
			}
			t.Logf("%s: n = %d classified responses per attempt", tt.name, plan.n)
		})
	}
}

// simulate runs trials of the split test on multinomial samples drawn from
// truth and returns the share of trials in which the test failed. With
// attempts > 1 a trial fails only if every attempt fails, like the runner.
func simulate(t *testing.T, weights, truth []float64, attempts, trials int, seed uint64) float64 {
	t.Helper()
	classes := make([]string, len(weights))
	for i := range classes {
		classes[i] = fmt.Sprintf("v%d", i+1)
	}
	plan, err := planSplit(classes, weights, attempts)
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	draw := newMultinomial(truth)
	failed := 0
	counts := make([]int, len(truth))
	for range trials {
		pass := false
		for range attempts {
			draw(rng, plan.n, counts)
			if _, ok := plan.test(counts); ok {
				pass = true
				break
			}
		}
		if !pass {
			failed++
		}
	}
	return float64(failed) / float64(trials)
}

// newMultinomial returns a sampler of Multinomial(n, shares) counts. It
// draws class by class from the conditional binomials
// X_i | X_1..X_{i-1} ~ Binomial(n - Σ X_j, p_i / (1 - Σ p_j)) by inverting
// cached CDF tables, so a trial costs k lookups instead of n draws.
func newMultinomial(shares []float64) func(rng *rand.Rand, n int, counts []int) {
	type key struct{ m, i int }
	tables := map[key][]float64{}
	cdf := func(m, i int, q float64) []float64 {
		if t, ok := tables[key{m, i}]; ok {
			return t
		}
		t := binomPMF(m, q)
		for x := 1; x <= m; x++ {
			t[x] += t[x-1]
		}
		tables[key{m, i}] = t
		return t
	}
	return func(rng *rand.Rand, n int, counts []int) {
		rem, mass := n, 1.0
		for i, p := range shares {
			if i == len(shares)-1 || rem == 0 {
				counts[i] = rem
				rem = 0
				continue
			}
			q := math.Min(math.Max(p/mass, 0), 1)
			x := sort.SearchFloat64s(cdf(rem, i, q), rng.Float64())
			x = min(x, rem)
			counts[i] = x
			rem -= x
			mass -= p
		}
	}
}

func TestMultinomialSampler(t *testing.T) {
	draw := newMultinomial([]float64{0.7, 0.2, 0.1})
	rng := rand.New(rand.NewPCG(1, 2))
	sums := make([]float64, 3)
	counts := make([]int, 3)
	const trials, n = 20000, 100
	for range trials {
		draw(rng, n, counts)
		assert.Equal(t, n, counts[0]+counts[1]+counts[2])
		for i, c := range counts {
			sums[i] += float64(c)
		}
	}
	for i, want := range []float64{70, 20, 10} {
		assert.InDelta(t, want, sums[i]/trials, 0.1, "mean count of class %d", i)
	}
}

// TestSplitErrorRates measures the false-alarm rate (true split, test
// fails) and the miss rate (split off by 10 points, test passes) over many
// seeded trials and prints them.
func TestSplitErrorRates(t *testing.T) {
	// 500,000 trials put the standard error of a 0.1% false-alarm rate at
	// 0.0045 points; 100,000 put that of a 1% miss rate at 0.03 points.
	const nullTrials, altTrials = 500000, 100000
	w := []float64{0.8, 0.1, 0.1}
	tests := []struct {
		name     string
		weights  []float64
		truth    []float64
		attempts int
		// null: the truth equals the weights, the rate is a false-alarm rate.
		null bool
	}{
		{"80/10/10 true, one attempt", w, w, 1, true},
		{"80/10/10 true, three attempts", w, w, 3, true},
		{"50/50 true", []float64{0.5, 0.5}, []float64{0.5, 0.5}, 1, true},
		{"70/20/10 vs 80/10/10, one attempt", w, []float64{0.7, 0.2, 0.1}, 1, false},
		{"70/20/10 vs 80/10/10, three attempts", w, []float64{0.7, 0.2, 0.1}, 3, false},
		{"90/5/5 vs 80/10/10", w, []float64{0.9, 0.05, 0.05}, 3, false},
		{"80/0/20 vs 80/10/10", w, []float64{0.8, 0, 0.2}, 3, false},
		{"60/40 vs 50/50", []float64{0.5, 0.5}, []float64{0.6, 0.4}, 3, false},
		{"90/10 vs 100/0", []float64{1, 0}, []float64{0.9, 0.1}, 3, false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			trials := altTrials
			if tt.null {
				trials = nullTrials
			}
			rate := simulate(t, tt.weights, tt.truth, tt.attempts, trials, uint64(1000+i))
			// Allow three standard errors of sampling noise around the bound.
			if tt.null {
				bound := SplitAlpha + 3*math.Sqrt(SplitAlpha*(1-SplitAlpha)/float64(trials))
				t.Logf("false-alarm rate %.4f%% over %d trials (required ≤ %.1f%%)", 100*rate, trials, 100*SplitAlpha)
				fmt.Printf("split %s: false-alarm rate %.4f%% (%d trials)\n", tt.name, 100*rate, trials)
				assert.LessOrEqual(t, rate, bound)
				return
			}
			beta := 1 - SplitPower
			bound := beta + 3*math.Sqrt(beta*(1-beta)/float64(trials))
			t.Logf("miss rate %.4f%% over %d trials (required ≤ %.0f%%)", 100*(1-rate), trials, 100*beta)
			fmt.Printf("split %s: miss rate %.4f%% (%d trials)\n", tt.name, 100*(1-rate), trials)
			assert.LessOrEqual(t, 1-rate, bound)
		})
	}
}
