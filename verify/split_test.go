package verify

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/labctl/labctl/loadgen/classify"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// reviewsServer answers like Bookinfo's reviews API: each response is drawn
// from the weights with a seeded generator (v1, v2, v3, then "" = a 503).
// Every request of an attempt is counted, so the counts do not depend on the
// order in which concurrent requests arrive.
func reviewsServer(t *testing.T, seed uint64, weights ...float64) *httptest.Server {
	t.Helper()
	var mu sync.Mutex
	rng := rand.New(rand.NewPCG(seed, seed+1))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		u := rng.Float64()
		mu.Unlock()
		v := len(weights)
		for i, acc := 0, 0.0; i < len(weights); i++ {
			acc += weights[i]
			if u < acc {
				v = i
				break
			}
		}
		if v == 3 || v == len(weights) {
			http.Error(w, "upstream connect error", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintf(w, `{"id":"0","podname":"reviews-v%d-7f9c-x","reviews":[]}`, v+1)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func splitSpec(url string) *SplitSpec {
	return &SplitSpec{
		Target:     Target{URL: url + "/reviews/0"},
		Classifier: classify.BookinfoReviewsAPI,
		Weights:    map[string]float64{"v1": 80, "v2": 10, "v3": 10},
	}
}

// TestSplitCheck runs the split check end to end over HTTP: a true 80/10/10
// split passes in every seeded trial, a 70/20/10 split fails in every one.
func TestSplitCheck(t *testing.T) {
	if testing.Short() {
		t.Skip("sends about 20,000 requests over loopback; run without -short")
	}
	const trials = 8
	for seed := range uint64(trials) {
		t.Run(fmt.Sprintf("true 80/10/10 seed %d", seed), func(t *testing.T) {
			srv := reviewsServer(t, seed, 0.8, 0.1, 0.1)
			res := Runner{}.RunOne(t.Context(), Spec{Name: "split", Split: splitSpec(srv.URL)})
			require.Equal(t, StatusPass, res.Status, "%s; observed %s", res.Message, res.Observed)
			assert.Equal(t, 1, res.Attempts)
			assert.Contains(t, res.Expected, "v1 80%, v2 10%, v3 10%")
		})
		t.Run(fmt.Sprintf("70/20/10 seed %d", seed), func(t *testing.T) {
			srv := reviewsServer(t, 100+seed, 0.7, 0.2, 0.1)
			res := Runner{}.RunOne(t.Context(), Spec{Name: "split", Interval: Duration{MinInterval}, Split: splitSpec(srv.URL)})
			require.Equal(t, StatusFail, res.Status, res.Observed)
			assert.Equal(t, 3, res.Attempts, "a wrong split uses every attempt")
			assert.Contains(t, res.Message, "traffic split differs from the weights")
			assert.Contains(t, res.Message, "expected 80%")
			assert.Contains(t, res.Observed, "of 775 responses")
		})
	}
}

func TestSplitUnmatched(t *testing.T) {
	// 10% of responses are 503s: more than the 5% allowed.
	srv := reviewsServer(t, 7, 0.72, 0.09, 0.09, 0.10)
	sp := splitSpec(srv.URL)
	sp.Attempts = 1
	res := Runner{}.RunOne(t.Context(), Spec{Name: "split", Split: sp})
	require.Equal(t, StatusFail, res.Status)
	assert.Contains(t, res.Message, "could not be classified into v1, v2, v3 (allowed 5%)")
	assert.Contains(t, res.Message, "status 503×")
}

func TestSplitRulesAndZeroWeight(t *testing.T) {
	srv := reviewsServer(t, 3, 1.0)
	sp := splitSpec(srv.URL)
	sp.Classifier = ""
	sp.Rules = classify.Rules{{Class: "$1", Match: `reviews-(v\d)`}}
	sp.Weights = map[string]float64{"v1": 1, "v2": 0, "v3": 0}
	res := Runner{}.RunOne(t.Context(), Spec{Name: "all-v1", Split: sp})
	require.Equal(t, StatusPass, res.Status, res.Message)
	assert.Contains(t, res.Observed, "v1 100.0%")

	srv = reviewsServer(t, 4, 0.9, 0.1)
	sp.Target.URL = srv.URL
	sp.Attempts = 1
	res = Runner{}.RunOne(t.Context(), Spec{Name: "all-v1", Split: sp})
	require.Equal(t, StatusFail, res.Status)
	assert.Contains(t, res.Message, "v2 got")
	assert.Contains(t, res.Message, "expected 0%")
}

func TestSplitValidate(t *testing.T) {
	tests := []struct {
		name string
		mod  func(*SplitSpec)
		want string
	}{
		{"no classifier", func(s *SplitSpec) { s.Classifier = "" }, "exactly one of classifier"},
		{"both", func(s *SplitSpec) { s.Rules = classify.Rules{{Class: "a", Match: "b"}} }, "exactly one of classifier"},
		{"bad rule", func(s *SplitSpec) { s.Classifier, s.Rules = "", classify.Rules{{Class: "a", Match: "("}} }, "not a valid regular expression"},
		{"one class", func(s *SplitSpec) { s.Weights = map[string]float64{"v1": 1} }, "at least two classes"},
		{"negative", func(s *SplitSpec) { s.Weights["v2"] = -1 }, "non-negative"},
		{"all zero", func(s *SplitSpec) { s.Weights = map[string]float64{"a": 0, "b": 0} }, "all be 0"},
		{"no target", func(s *SplitSpec) { s.Target = Target{} }, "exactly one target"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := splitSpec("http://x")
			tt.mod(s)
			assert.ErrorContains(t, s.validate(), tt.want)
		})
	}
}
