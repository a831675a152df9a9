package classify

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
)

// Names of the built-in classifiers.
const (
	BookinfoReviews    = "bookinfo-reviews"
	BookinfoReviewsAPI = "bookinfo-reviews-api"
	TravelsVersion     = "travels-version"
)

// Classes the Bookinfo classifiers return besides the versions "v1".."v3".
const (
	// ClassUnavailable: productpage rendered, but could not fetch the reviews.
	ClassUnavailable = "unavailable"
)

// TravelsVersionHeader is the response header the travels-version classifier
// reads. The Travels services do not send a version header themselves: the
// environment adds it per subset (a VirtualService route with
// headers.response.set), e.g. "x-version: v2".
const TravelsVersionHeader = "X-Version"

var builtins = map[string]Classifier{
	BookinfoReviews:    bookinfoReviews{},
	BookinfoReviewsAPI: bookinfoReviewsAPI{},
	TravelsVersion:     travelsVersion{},
}

// Builtin returns the built-in classifier with the given name.
func Builtin(name string) (Classifier, bool) {
	c, ok := builtins[name]
	return c, ok
}

// BuiltinNames lists the built-in classifiers, sorted.
func BuiltinNames() []string {
	names := make([]string, 0, len(builtins))
	for n := range builtins {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// NeedsBody reports whether c reads the response body. Classifiers that only
// look at headers implement NeedsBody() bool returning false; any other
// classifier is assumed to need the body.
func NeedsBody(c Classifier) bool {
	if n, ok := c.(interface{ NeedsBody() bool }); ok {
		return n.NeedsBody()
	}
	return c != nil
}

var (
	// The productpage template renders the stars of a review inside
	// <div class="flex gap-x-1 text-{{ color }}-500">; error messages reuse
	// text-red-500, so the star container's classes are matched together.
	// Older templates used <font color="{{ color }}"> around glyphicons.
	redStars      = regexp.MustCompile(`gap-x-1 text-red-500|<font color="red">`)
	blackStars    = regexp.MustCompile(`gap-x-1 text-black-500|<font color="black">`)
	reviewsPod    = regexp.MustCompile(`Reviews served by:\s*reviews-(v\d+)`)
	reviewsHeader = []byte("Book Reviews")
	reviewsError  = []byte("Error fetching product reviews")
	podVersion    = regexp.MustCompile(`^reviews-(v\d+)`)
	version       = regexp.MustCompile(`v\d+`)
)

// bookinfoReviews tells the reviews version from the productpage HTML:
// red stars are v3, black stars v2, reviews without stars v1.
type bookinfoReviews struct{}

func (bookinfoReviews) Classify(status int, _ http.Header, body []byte) string {
	if status != http.StatusOK {
		return ""
	}
	switch {
	case bytes.Contains(body, reviewsError):
		return ClassUnavailable
	case redStars.Match(body):
		return "v3"
	case blackStars.Match(body):
		return "v2"
	}
	// No stars: v1, or v2/v3 whose ratings call failed; the pod name tells.
	if m := reviewsPod.FindSubmatch(body); m != nil {
		return string(m[1])
	}
	if bytes.Contains(body, reviewsHeader) {
		return "v1"
	}
	return ""
}

// bookinfoReviewsAPI tells the reviews version from the reviews service JSON
// (GET /reviews/0 or productpage's /api/v1/products/0/reviews): the pod name
// when it follows the reviews-vN-* pattern, else the star colour.
type bookinfoReviewsAPI struct{}

type reviewsDoc struct {
	Podname string `json:"podname"`
	Reviews []struct {
		Rating *struct {
			Color string `json:"color"`
			Stars int    `json:"stars"`
		} `json:"rating"`
	} `json:"reviews"`
}

func (bookinfoReviewsAPI) Classify(status int, _ http.Header, body []byte) string {
	if status != http.StatusOK {
		return ""
	}
	var doc reviewsDoc
	if err := json.Unmarshal(body, &doc); err != nil {
		return ""
	}
	if m := podVersion.FindStringSubmatch(doc.Podname); m != nil {
		return m[1]
	}
	if len(doc.Reviews) == 0 {
		return ""
	}
	for _, r := range doc.Reviews {
		if r.Rating == nil {
			continue
		}
		switch r.Rating.Color {
		case "red":
			return "v3"
		case "black":
			return "v2"
		}
	}
	return "v1"
}

// travelsVersion reads the version from the TravelsVersionHeader response
// header ("v2", "travels-v2" → "v2"; any other value is returned as is).
type travelsVersion struct{}

func (travelsVersion) Classify(_ int, header http.Header, _ []byte) string {
	v := header.Get(TravelsVersionHeader)
	if m := version.FindString(v); m != "" {
		return m
	}
	return v
}

func (travelsVersion) NeedsBody() bool { return false }
