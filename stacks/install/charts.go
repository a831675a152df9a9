package install

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	chart "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	repo "helm.sh/helm/v4/pkg/repo/v1"

	"github.com/labctl/labctl/charts"
)

// TimeoutDownload bounds one chart or index download.
const TimeoutDownload = 2 * time.Minute

// MirrorEnv names the environment variable that points every chart download
// at one Helm repository (an offline workshop's mirror, or the test repo).
const MirrorEnv = "LABCTL_CHART_MIRROR"

// ChartSource finds charts: labctl's own from the binary, the others from
// their official Helm repositories (or the mirror), cached on disk so a
// second `up` downloads nothing.
type ChartSource struct {
	// CacheDir holds downloaded chart archives.
	CacheDir string
	// Mirror, when set, replaces every official repository URL.
	Mirror string
	// Client downloads; nil means a client with TimeoutDownload.
	Client *http.Client
}

// Load returns the chart for ref.
func (s *ChartSource) Load(ctx context.Context, ref ChartRef) (*chart.Chart, error) {
	if ref.Embedded {
		return charts.Load(ref.Name)
	}
	path, err := s.Fetch(ctx, ref)
	if err != nil {
		return nil, err
	}
	c, err := loader.Load(path)
	if err != nil {
		return nil, fmt.Errorf("chart %s %s in the cache (%s) is damaged: %w; delete it and run again", ref.Name, ref.Version, path, err)
	}
	return c, nil
}

// RepoURL is where ref is downloaded from: the mirror if set.
func (s *ChartSource) RepoURL(ref ChartRef) string {
	if s.Mirror != "" {
		return s.Mirror
	}
	return ref.Repo
}

// CachePath is where the archive of ref is kept.
func (s *ChartSource) CachePath(ref ChartRef) string {
	return filepath.Join(s.CacheDir, cacheKey(s.RepoURL(ref)), fmt.Sprintf("%s-%s.tgz", ref.Name, ref.Version))
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func cacheKey(repoURL string) string {
	u, err := url.Parse(repoURL)
	if err != nil || u.Host == "" {
		sum := sha256.Sum256([]byte(repoURL))
		return hex.EncodeToString(sum[:8])
	}
	key := unsafeChars.ReplaceAllString(u.Host+strings.TrimSuffix(u.Path, "/"), "_")
	if strings.Trim(key, ".") == "" {
		// "." or ".." would name the cache itself or its parent (a
		// --chart-mirror such as http://..): hash it like a non-URL.
		sum := sha256.Sum256([]byte(repoURL))
		return hex.EncodeToString(sum[:8])
	}
	return key
}

// Fetch makes sure the archive of ref is in the cache and returns its path.
// Only a cache miss touches the network: the repository index, then the
// archive, checked against the index's sha256 digest, written atomically.
func (s *ChartSource) Fetch(ctx context.Context, ref ChartRef) (string, error) {
	if ref.Version == "" {
		return "", fmt.Errorf("chart %s has no pinned version: set it in the stack or the version lock", ref.Name)
	}
	dest := s.CachePath(ref)
	if _, err := os.Stat(dest); err == nil {
		return dest, nil
	}
	repoURL := s.RepoURL(ref)
	if repoURL == "" {
		return "", fmt.Errorf("chart %s has no repository URL", ref.Name)
	}
	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		return "", fmt.Errorf("creating chart cache: %w", err)
	}
	idxData, err := s.get(ctx, strings.TrimSuffix(repoURL, "/")+"/index.yaml")
	if err != nil {
		return "", fmt.Errorf("chart repository %s cannot be read: %w (check the network, or point %s at a mirror)", repoURL, err, MirrorEnv)
	}
	idx, err := parseIndex(filepath.Dir(dest), idxData)
	if err != nil {
		return "", fmt.Errorf("chart repository %s: %w", repoURL, err)
	}
	cv, err := idx.Get(ref.Name, ref.Version)
	if err != nil || len(cv.URLs) == 0 {
		return "", fmt.Errorf("chart %s version %s is not in repository %s: check the version in the stack or versions.yaml", ref.Name, ref.Version, repoURL)
	}
	chartURL, err := repo.ResolveReferenceURL(repoURL, cv.URLs[0])
	if err != nil {
		return "", fmt.Errorf("chart %s: bad URL %q in %s/index.yaml: %w", ref.Name, cv.URLs[0], repoURL, err)
	}
	data, err := s.get(ctx, chartURL)
	if err != nil {
		return "", fmt.Errorf("downloading chart %s %s: %w", ref.Name, ref.Version, err)
	}
	if cv.Digest != "" {
		sum := sha256.Sum256(data)
		if got := hex.EncodeToString(sum[:]); got != cv.Digest {
			return "", fmt.Errorf("chart %s %s from %s has digest %s, but the repository index says %s: the download is corrupt or tampered with", ref.Name, ref.Version, chartURL, got, cv.Digest)
		}
	}
	if err := writeAtomic(dest, data); err != nil {
		return "", fmt.Errorf("caching chart %s: %w", ref.Name, err)
	}
	return dest, nil
}

func parseIndex(dir string, data []byte) (*repo.IndexFile, error) {
	tmp, err := os.CreateTemp(dir, ".index-*.yaml")
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return nil, err
	}
	if err := tmp.Close(); err != nil {
		return nil, err
	}
	idx, err := repo.LoadIndexFile(tmp.Name())
	if err != nil {
		return nil, fmt.Errorf("index.yaml is not a Helm repository index: %w", err)
	}
	return idx, nil
}

func (s *ChartSource) get(ctx context.Context, u string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, TimeoutDownload)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	client := s.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return io.ReadAll(resp.Body)
}

func writeAtomic(dest string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(dest), "."+filepath.Base(dest)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), dest)
}
