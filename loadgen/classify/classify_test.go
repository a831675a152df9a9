package classify

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// productpage builds a productpage-like body: two reviews rendered with the
// given star colour ("" = no ratings shown), served by pod.
func productpage(color, pod string) string {
	var b strings.Builder
	b.WriteString(`<html><p class="text-2xl">ok</p><h4 class="text-3xl font-semibold">Book Reviews</h4>`)
	for range 2 {
		b.WriteString(`<section>`)
		if color != "" {
			b.WriteString(`<div class="flex gap-x-1 text-` + color + `-500"><svg></svg></div>`)
		}
		b.WriteString(`<div class="mt-0.5 text-gray-600 font-mono">Reviews served by:
                  ` + pod + `</div></section>`)
	}
	return b.String()
}

func TestBookinfoReviews(t *testing.T) {
	c, ok := Builtin(BookinfoReviews)
	require.True(t, ok)
	tests := []struct {
		name   string
		status int
		body   string
		want   string
	}{
		{"v1 no stars", 200, productpage("", "reviews-v1-5b5d6494f4-abcde"), "v1"},
		{"v2 black stars", 200, productpage("black", "reviews-v2-5b5d6494f4-abcde"), "v2"},
		{"v3 red stars", 200, productpage("red", "reviews-v3-5b5d6494f4-abcde"), "v3"},
		{"v1 custom pod name", 200, productpage("", "my-reviews"), "v1"},
		{"v3 ratings down tells by pod", 200, `<h4>Book Reviews</h4><p class="text-red-500">Ratings service is currently unavailable</p>
			<div>Reviews served by: reviews-v3-abc</div>`, "v3"},
		{"reviews error", 200, `<p class="text-2xl text-red-500">Error fetching product reviews</p>`, ClassUnavailable},
		{"details error is not red stars", 200, `<p class="text-2xl text-red-500">Error fetching product details</p>` +
			productpage("black", "reviews-v2-x"), "v2"},
		{"old template red", 200, `<h4>Book Reviews</h4><font color="red"><span class="glyphicon glyphicon-star"></span></font>`, "v3"},
		{"non-200", 503, productpage("red", "reviews-v3-x"), ""},
		{"not a productpage", 200, `no healthy upstream`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, c.Classify(tt.status, nil, []byte(tt.body)))
		})
	}
	assert.True(t, NeedsBody(c))
}

func TestBookinfoReviewsAPI(t *testing.T) {
	c, ok := Builtin(BookinfoReviewsAPI)
	require.True(t, ok)
	tests := []struct {
		name   string
		status int
		body   string
		want   string
	}{
		{"pod v2", 200, `{"id":"0","podname":"reviews-v2-7f9c-xyz","clustername":"null","reviews":[]}`, "v2"},
		{"no pod, red", 200, `{"id":"0","reviews":[{"reviewer":"a","rating":{"stars":5,"color":"red"}}]}`, "v3"},
		{"no pod, black", 200, `{"id":"0","reviews":[{"reviewer":"a","rating":{"stars":5,"color":"black"}}]}`, "v2"},
		{"no pod, no rating", 200, `{"id":"0","reviews":[{"reviewer":"a","text":"x"}]}`, "v1"},
		{"not json", 200, `<html>`, ""},
		{"500", 500, `{"podname":"reviews-v3-x"}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, c.Classify(tt.status, nil, []byte(tt.body)))
		})
	}
}

func TestTravelsVersion(t *testing.T) {
	c, ok := Builtin(TravelsVersion)
	require.True(t, ok)
	assert.False(t, NeedsBody(c))
	tests := []struct {
		value, want string
	}{
		{"v2", "v2"},
		{"travels-v3", "v3"},
		{"canary", "canary"},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			h := http.Header{}
			if tt.value != "" {
				h.Set("x-version", tt.value)
			}
			assert.Equal(t, tt.want, c.Classify(200, h, nil))
		})
	}
}

func TestBuiltinNames(t *testing.T) {
	assert.Equal(t, []string{"bookinfo-reviews", "bookinfo-reviews-api", "travels-version"}, BuiltinNames())
	for _, n := range BuiltinNames() {
		_, ok := Builtin(n)
		assert.True(t, ok, n)
	}
	_, ok := Builtin("nope")
	assert.False(t, ok)
}

func TestRules(t *testing.T) {
	rules := Rules{
		{Class: "v3", Match: `text-red-500`},
		{Class: "$1", Header: "x-version", Match: `(v\d+)`},
		{Class: "teapot", Header: "Content-Type", Match: `^text/tea`},
		{Class: "fallback", Match: `.`},
	}
	require.NoError(t, rules.Validate())
	compiledRules, err := rules.Compile()
	require.NoError(t, err)
	tests := []struct {
		name   string
		header http.Header
		body   string
		want   string
	}{
		{"body match wins first", http.Header{"X-Version": {"v2"}}, `text-red-500`, "v3"},
		{"header template", http.Header{"X-Version": {"travels-v2"}}, `x`, "v2"},
		{"second header value", http.Header{"Content-Type": {"a", "text/tea"}}, `x`, "teapot"},
		{"fallback", nil, `x`, "fallback"},
		{"nothing", nil, ``, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, rules.Classify(200, tt.header, []byte(tt.body)))
			assert.Equal(t, tt.want, compiledRules.Classify(200, tt.header, []byte(tt.body)))
		})
	}
	assert.True(t, rules.NeedsBody())
	assert.False(t, Rules{{Class: "a", Header: "h", Match: "x"}}.NeedsBody())
}

func TestRulesValidate(t *testing.T) {
	tests := []struct {
		name  string
		rules Rules
		want  string
	}{
		{"empty", nil, "no rules"},
		{"bad regexp", Rules{{Class: "a", Match: "ok"}, {Class: "b", Match: "("}}, "rule 1 (class \"b\")"},
		{"no class", Rules{{Match: "x"}}, "class is empty"},
		{"no match", Rules{{Class: "a"}}, "match is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.rules.Validate()
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	// Invalid rules never match, they do not panic.
	assert.Equal(t, "", Rules{{Class: "b", Match: "("}}.Classify(200, nil, []byte("(")))
}

func TestParseRule(t *testing.T) {
	tests := []struct {
		in      string
		want    Rule
		wantErr string
	}{
		{in: "v3=text-red-500", want: Rule{Class: "v3", Match: "text-red-500"}},
		{in: "v2=header:x-version=^v2$", want: Rule{Class: "v2", Header: "x-version", Match: "^v2$"}},
		{in: "a=b=c", want: Rule{Class: "a", Match: "b=c"}},
		{in: "novalue", wantErr: "want CLASS=REGEX"},
		{in: "x=header:nope", wantErr: "header rules"},
		{in: "x=(", wantErr: "not a valid regular expression"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseRule(tt.in)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestConcurrentClassify(t *testing.T) {
	rules := Rules{{Class: "$1", Match: `reviews-(v\d)`}}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				assert.Equal(t, "v2", rules.Classify(200, nil, []byte("reviews-v2-x")))
			}
		})
	}
	wg.Wait()
}
