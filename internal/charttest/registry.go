package charttest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Registry is a minimal OCI distribution registry on loopback, over plain
// HTTP, serving Helm charts as `helm push` stores them: a manifest whose
// config is the chart's metadata and whose one layer is the archive.
type Registry struct {
	Host string // 127.0.0.1:<port>; charts are at oci://<Host>/charts/<name>

	mu        sync.Mutex
	manifests map[string][]byte // "<repository>:<tag>" -> manifest
	blobs     map[string][]byte // digest -> content
}

// Media types of a Helm chart in an OCI registry.
const (
	helmConfigType = "application/vnd.cncf.helm.config.v1+json"
	helmChartType  = "application/vnd.cncf.helm.chart.content.v1.tar+gzip"
	ociManifest    = "application/vnd.oci.image.manifest.v1+json"
)

// NewRegistry starts an empty registry, stopped at the end of the test.
func NewRegistry(t testing.TB) *Registry {
	r := &Registry{manifests: map[string][]byte{}, blobs: map[string][]byte{}}
	server := httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(server.Close)
	r.Host = strings.TrimPrefix(server.URL, "http://")
	return r
}

// Add pushes a packaged chart as charts/<name>:<version>. With a non-empty
// layerDigest the manifest lists that digest for the chart layer instead
// of the archive's, as a registry serving a tampered blob would.
func (r *Registry) Add(t testing.TB, archive []byte, layerDigest string) {
	t.Helper()
	meta, err := loadArchive(archive)
	if err != nil {
		t.Fatal(err)
	}
	config, err := json.Marshal(meta)
	if err != nil {
		t.Fatal(err)
	}
	descriptor := func(mediaType string, data []byte, digest string) map[string]any {
		return map[string]any{"mediaType": mediaType, "digest": digest, "size": len(data)}
	}
	chartDigest := "sha256:" + digestOf(archive)
	if layerDigest != "" {
		chartDigest = "sha256:" + layerDigest
	}
	manifest, err := json.Marshal(map[string]any{
		"schemaVersion": 2,
		"mediaType":     ociManifest,
		"config":        descriptor(helmConfigType, config, "sha256:"+digestOf(config)),
		"layers":        []any{descriptor(helmChartType, archive, chartDigest)},
	})
	if err != nil {
		t.Fatal(err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.blobs["sha256:"+digestOf(config)] = config
	r.blobs[chartDigest] = archive
	r.manifests["charts/"+meta.Name+":"+meta.Version] = manifest
	r.blobs["sha256:"+digestOf(manifest)] = manifest
}

func (r *Registry) serve(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := strings.TrimPrefix(req.URL.Path, "/v2/")
	if p == "" || p == req.URL.Path {
		w.WriteHeader(http.StatusOK)
		return
	}
	var data []byte
	var contentType string
	switch repo, ref, ok := strings.Cut(p, "/manifests/"); {
	case ok:
		data = r.manifests[repo+":"+ref]
		if data == nil {
			data = r.blobs[ref]
		}
		contentType = ociManifest
	default:
		_, digest, ok := strings.Cut(p, "/blobs/")
		if ok {
			data = r.blobs[digest]
		}
		contentType = "application/octet-stream"
	}
	if data == nil {
		http.NotFound(w, req)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Docker-Content-Digest", "sha256:"+digestOf(data))
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	if req.Method != http.MethodHead {
		w.Write(data)
	}
}
