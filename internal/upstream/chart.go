package upstream

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"sigs.k8s.io/yaml"
)

// Chart is what the data set holds of one chart version: its Chart.yaml,
// its default values and, where the chart has one, its values.schema.json.
type Chart struct {
	Name       string
	Version    string
	AppVersion string
	// Dir is the chart's folder, relative to the data set.
	Dir string
	// Values are the chart's default values.yaml.
	Values map[string]any
	// Schema is values.schema.json as parsed JSON, or nil when the chart
	// ships none.
	Schema any
}

// Chart reads chart at version: <source>/<chart>/<version>/ for whichever
// upstream source holds it.
func (d *Data) Chart(chart, version string) (*Chart, error) {
	matches, err := filepath.Glob(d.path("*", chart, version, "Chart.yaml"))
	if err != nil {
		return nil, err
	}
	switch len(matches) {
	case 0:
		return nil, &NotCoveredError{What: fmt.Sprintf("the chart %q version %q (no */%s/%s/Chart.yaml)", chart, version, chart, version)}
	case 1:
	default:
		return nil, fmt.Errorf("the chart %q version %q is in more than one source: %v", chart, version, matches)
	}
	dir := filepath.Dir(matches[0])
	rel, _ := filepath.Rel(d.dir, dir)
	c := &Chart{Dir: rel}
	var meta struct {
		Name       string `json:"name"`
		Version    string `json:"version"`
		AppVersion string `json:"appVersion"`
	}
	if err := readYAML(matches[0], &meta); err != nil {
		return nil, err
	}
	if meta.Name != chart || meta.Version != version {
		return nil, fmt.Errorf("%s is chart %q version %q, not %q %q", matches[0], meta.Name, meta.Version, chart, version)
	}
	c.Name, c.Version, c.AppVersion = meta.Name, meta.Version, meta.AppVersion
	if err := readYAML(filepath.Join(dir, "values.yaml"), &c.Values); err != nil {
		return nil, err
	}
	if c.Values == nil {
		c.Values = map[string]any{}
	}
	switch data, err := os.ReadFile(filepath.Join(dir, "values.schema.json")); {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, err
	default:
		if c.Schema, err = unmarshalJSON(data); err != nil {
			return nil, fmt.Errorf("%s/values.schema.json: %w", rel, err)
		}
	}
	return c, nil
}

func readYAML(file string, v any) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	if err := yaml.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	return nil
}
