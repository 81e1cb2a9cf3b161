package charttest

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/pem"
	"io/fs"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/repo"
	"sigs.k8s.io/yaml"
)

// Build makes a chart with the Helm SDK, a hand-built chart.Chart saved by
// chartutil.Save, and returns its packaged archive. templates maps a file
// name under templates/ to its content.
func Build(t testing.TB, name, version string, templates map[string]string) []byte {
	t.Helper()
	ch := &chart.Chart{
		Metadata: &chart.Metadata{APIVersion: chart.APIVersionV2, Name: name, Version: version, AppVersion: "1.0.0", Type: "application"},
		Values:   map[string]any{},
	}
	for _, n := range slices.Sorted(maps.Keys(templates)) {
		ch.Templates = append(ch.Templates, &chart.File{Name: "templates/" + n, Data: []byte(templates[n])})
	}
	dir := t.TempDir()
	file, err := chartutil.Save(ch, dir)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// Package packs the chart source folder dir the way `helm package` lays it
// out (<chart name>/<file>), but deterministically: files in sorted order,
// no timestamps, owners or modes beyond 0644. The same source always gives
// the same bytes, so a committed archive can be checked against its source.
func Package(dir string) ([]byte, error) {
	meta, err := chartutil.LoadChartfile(filepath.Join(dir, chartutil.ChartfileName))
	if err != nil {
		return nil, err
	}
	var names []string
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		names = append(names, filepath.ToSlash(rel))
		return err
	})
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	var buf bytes.Buffer
	gz, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	tw := tar.NewWriter(gz)
	for _, n := range names {
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(n)))
		if err != nil {
			return nil, err
		}
		hdr := &tar.Header{Name: path.Join(meta.Name, n), Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg, Format: tar.FormatPAX}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, err
		}
		if _, err := tw.Write(data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := gz.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Repo is a Helm chart repository served over TLS on loopback.
type Repo struct {
	URL    string // https://127.0.0.1:<port>/charts
	CAFile string // PEM of the server's certificate, for PullOptions.CAFile

	server   *httptest.Server
	mu       sync.Mutex
	archives map[string][]byte // file name -> archive
	index    *repo.IndexFile   // what index.yaml serves
	requests atomic.Int64      // every request served
	override map[string]string // chart file name -> digest to list instead
	metadata map[string]*chart.Metadata
}

// NewRepo starts an empty repository, stopped at the end of the test.
func NewRepo(t testing.TB) *Repo {
	t.Helper()
	r := &Repo{archives: map[string][]byte{}, override: map[string]string{}, metadata: map[string]*chart.Metadata{}}
	r.server = httptest.NewTLSServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.server.Close)
	r.URL = r.server.URL + "/charts"
	r.CAFile = filepath.Join(t.TempDir(), "ca.pem")
	cert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: r.server.Certificate().Raw})
	if err := os.WriteFile(r.CAFile, cert, 0o644); err != nil {
		t.Fatal(err)
	}
	return r
}

// Add publishes a packaged chart; its index entry lists its true digest.
func (r *Repo) Add(t testing.TB, archive []byte) {
	t.Helper()
	ch, err := loadArchive(archive)
	if err != nil {
		t.Fatal(err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	file := ch.Name + "-" + ch.Version + ".tgz"
	r.archives[file] = archive
	r.metadata[file] = ch
}

// ListDigest makes the index list digest for the chart's archive instead of
// its true one, as a repository serving a tampered archive would.
func (r *Repo) ListDigest(file, digest string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.override[file] = digest
}

// Requests is the number of requests the repository served.
func (r *Repo) Requests() int64 { return r.requests.Load() }

func (r *Repo) serve(w http.ResponseWriter, req *http.Request) {
	r.requests.Add(1)
	r.mu.Lock()
	defer r.mu.Unlock()
	name, ok := strings.CutPrefix(req.URL.Path, "/charts/")
	if !ok {
		http.NotFound(w, req)
		return
	}
	if name == "index.yaml" {
		idx := repo.NewIndexFile()
		for _, file := range slices.Sorted(maps.Keys(r.archives)) {
			digest := digestOf(r.archives[file])
			if d, ok := r.override[file]; ok {
				digest = d
			}
			// Relative URLs, as chart-releaser and `helm repo index` write them.
			if err := idx.MustAdd(r.metadata[file], file, "", digest); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
		}
		idx.SortEntries()
		data, err := yaml.Marshal(idx)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Write(data)
		return
	}
	data, ok := r.archives[name]
	if !ok {
		http.NotFound(w, req)
		return
	}
	w.Header().Set("Content-Type", "application/gzip")
	w.Write(data)
}
