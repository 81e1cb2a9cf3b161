package upstream

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/Masterminds/semver/v3"
	"sigs.k8s.io/yaml"
)

// ChartVersion is one published version of a chart.
type ChartVersion struct {
	Version    string
	AppVersion string
}

// indexName is the base name of a repository's index files:
// https://prometheus-community.github.io/helm-charts and
// oci://ghcr.io/nginx/charts become prometheus-community.github.io_helm-charts
// and ghcr.io_nginx_charts (the README's indexes/<repo-host>[_<path>]).
func indexName(repoURL string) string {
	u := repoURL
	for _, scheme := range []string{"https://", "http://", "oci://"} {
		u = strings.TrimPrefix(u, scheme)
	}
	return strings.ReplaceAll(strings.Trim(u, "/"), "/", "_")
}

// Versions lists the published versions of chart in the repository
// repoURL (as an Application or a helm_release names it, with or without
// oci://), newest first. A repository or chart without data is a
// *NotCoveredError; a chart absent from a repository the data set covers
// is an empty list, not an error: the repository does not serve it.
func (d *Data) Versions(repoURL, chart string) ([]ChartVersion, error) {
	name := indexName(repoURL)
	var versions []ChartVersion
	switch data, err := os.ReadFile(d.path("indexes", name+".yaml")); {
	case err == nil:
		versions, err = indexVersions(data, chart)
		if err != nil {
			return nil, fmt.Errorf("indexes/%s.yaml: %w", name, err)
		}
	case errors.Is(err, fs.ErrNotExist):
		data, err := os.ReadFile(d.path("indexes", name+".versions.json"))
		if errors.Is(err, fs.ErrNotExist) {
			return nil, &NotCoveredError{What: fmt.Sprintf("the chart repository %q (no indexes/%s.yaml or .versions.json)", repoURL, name)}
		}
		if err != nil {
			return nil, err
		}
		versions, err = generatedVersions(data, chart)
		if err != nil {
			return nil, fmt.Errorf("indexes/%s.versions.json: %w", name, err)
		}
	default:
		return nil, err
	}
	slices.SortFunc(versions, func(a, b ChartVersion) int {
		return semver.MustParse(b.Version).Compare(semver.MustParse(a.Version))
	})
	return slices.CompactFunc(versions, func(a, b ChartVersion) bool { return a.Version == b.Version }), nil
}

// Lookup returns the entry of chart at version in repoURL, a
// *NotCoveredError when the data set has no data on the repository, and
// an error naming the versions that exist when the version does not.
func (d *Data) Lookup(repoURL, chart, version string) (ChartVersion, error) {
	versions, err := d.Versions(repoURL, chart)
	if err != nil {
		return ChartVersion{}, err
	}
	if len(versions) == 0 {
		return ChartVersion{}, fmt.Errorf("the repository %q serves no chart %q at any version", repoURL, chart)
	}
	i := slices.IndexFunc(versions, func(v ChartVersion) bool { return v.Version == version })
	if i < 0 {
		return ChartVersion{}, fmt.Errorf("the repository %q has no version %q of the chart %q (newest: %s)", repoURL, version, chart, versions[0].Version)
	}
	return versions[i], nil
}

// indexVersions reads a Helm repository index.yaml.
func indexVersions(data []byte, chart string) ([]ChartVersion, error) {
	var index struct {
		Entries map[string][]struct {
			Version    string `json:"version"`
			AppVersion string `json:"appVersion"`
		} `json:"entries"`
	}
	if err := yaml.Unmarshal(data, &index); err != nil {
		return nil, err
	}
	var out []ChartVersion
	for _, e := range index.Entries[chart] {
		if _, err := semver.StrictNewVersion(e.Version); err != nil {
			return nil, fmt.Errorf("chart %q: version %q: %w", chart, e.Version, err)
		}
		out = append(out, ChartVersion{Version: e.Version, AppVersion: e.AppVersion})
	}
	return out, nil
}

// generatedVersions reads a *.versions.json, which lists the chart
// versions of each release tag (and release branch) of the repository
// that publishes a chart repository with no index in git. Two shapes
// exist: charts per ref (helm.elastic.co) and one chart per tag
// (ghcr.io/nginx/charts). Snapshot versions were never published; the
// LTS tags of nginx/kubernetes-ingress publish another chart name
// (nginx-ingress-lts, the data set's NOTES.md), so only v* tags count there.
func generatedVersions(data []byte, chart string) ([]ChartVersion, error) {
	type chartEntry struct {
		Version    string `json:"version"`
		AppVersion string `json:"appVersion"`
	}
	type ref struct {
		Ref        string                `json:"ref"`
		Tag        string                `json:"tag"`
		Charts     map[string]chartEntry `json:"charts"`
		Chart      string                `json:"chart"`
		Version    string                `json:"version"`
		AppVersion string                `json:"appVersion"`
	}
	var file struct {
		Tags            []ref `json:"tags"`
		ReleaseBranches []ref `json:"release_branches"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		return nil, err
	}
	var out []ChartVersion
	add := func(e chartEntry) {
		if v, err := semver.StrictNewVersion(e.Version); err == nil && v.Prerelease() == "" {
			out = append(out, ChartVersion(e))
		}
	}
	for _, r := range append(file.Tags, file.ReleaseBranches...) {
		switch {
		case r.Charts != nil:
			if e, ok := r.Charts[chart]; ok {
				add(e)
			}
		case r.Chart == chart && strings.HasPrefix(r.Tag, "v"):
			add(chartEntry{Version: r.Version, AppVersion: r.AppVersion})
		}
	}
	return out, nil
}
