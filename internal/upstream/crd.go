package upstream

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/mod/semver"
)

// CRD is one CustomResourceDefinition of the data set.
type CRD struct {
	// Name is metadata.name: <plural>.<group>.
	Name  string
	Group string
	Kind  string
	// Source is the component and version folder it was read from, such
	// as cloud-on-k8s/crds/v3.5.0.
	Source string
	// Schemas are the openAPIV3Schema of each served version, by version.
	Schemas map[string]any
	// Newer, when set, is the same CRD of the nearest newer version the
	// data set holds, which an object must fit too (see CRDsNearest).
	Newer *CRD
}

// CRDs reads the CRDs a component installs at a version: every file of
// <component>/crds/<version>/ (such as "cloud-on-k8s", "v3.5.0"). A
// component version without data is a *NotCoveredError.
func (d *Data) CRDs(component, version string) ([]*CRD, error) {
	dir := filepath.Join(component, "crds", version)
	files, err := filepath.Glob(d.path(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, &NotCoveredError{What: fmt.Sprintf("the CRDs of %s %s (no %s/*.yaml)", component, version, dir)}
	}
	var crds []*CRD
	for _, f := range files {
		var doc map[string]any
		if err := readYAML(f, &doc); err != nil {
			return nil, err
		}
		crd, err := ParseCRD(doc)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		crd.Source = dir
		crds = append(crds, crd)
	}
	slices.SortFunc(crds, func(a, b *CRD) int { return strings.Compare(a.Name, b.Name) })
	return crds, nil
}

// CRDsNearest is CRDs of the exact version when the data set has it.
// Otherwise it brackets the version between the nearest older and newer
// ones it has: the CRDs of the older, each also holding its newer self
// (Newer), so an object is checked against both. Argo CD's Application
// CRD grows by additions between minor releases, so what fits both ends
// fits the release between them. Without a version on each side it is a
// *NotCoveredError, as CRDs is.
func (d *Data) CRDsNearest(component, version string) ([]*CRD, error) {
	crds, err := d.CRDs(component, version)
	var nc *NotCoveredError
	if !errors.As(err, &nc) {
		return crds, err
	}
	dirs, _ := filepath.Glob(d.path(filepath.Join(component, "crds"), "v*"))
	var older, newer string
	for _, dir := range dirs {
		v := filepath.Base(dir)
		switch c := semver.Compare(v, version); {
		case c < 0 && (older == "" || semver.Compare(v, older) > 0):
			older = v
		case c > 0 && (newer == "" || semver.Compare(v, newer) < 0):
			newer = v
		}
	}
	if older == "" || newer == "" {
		return nil, &NotCoveredError{What: fmt.Sprintf("the CRDs of %s %s, or of a version on each side of it (the data set has %d versions)", component, version, len(dirs))}
	}
	low, err := d.CRDs(component, older)
	if err != nil {
		return nil, err
	}
	high, err := d.CRDs(component, newer)
	if err != nil {
		return nil, err
	}
	for _, c := range low {
		for _, h := range high {
			if h.Name == c.Name {
				c.Newer = h
			}
		}
		if c.Newer == nil {
			return nil, &NotCoveredError{What: fmt.Sprintf("the CRD %s of %s %s (in %s, not in %s)", c.Name, component, version, older, newer)}
		}
		c.Source = fmt.Sprintf("%s/crds/%s and %s (no %s in the data set)", component, older, newer, version)
	}
	return low, nil
}

// Serves reports whether c defines apiVersion (group/version) and kind.
func (c *CRD) Serves(apiVersion, kind string) bool {
	group, version, ok := strings.Cut(apiVersion, "/")
	_, served := c.Schemas[version]
	return ok && group == c.Group && kind == c.Kind && served
}

// ParseCRD reads a CustomResourceDefinition object, such as one a
// hydrated chart renders from its crds/ folder.
func ParseCRD(obj map[string]any) (*CRD, error) {
	data, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Kind     string `json:"kind"`
		Metadata struct {
			Name string `json:"name"`
		} `json:"metadata"`
		Spec struct {
			Group string `json:"group"`
			Names struct {
				Kind string `json:"kind"`
			} `json:"names"`
			Versions []struct {
				Name   string `json:"name"`
				Served bool   `json:"served"`
				Schema struct {
					OpenAPIV3Schema any `json:"openAPIV3Schema"`
				} `json:"schema"`
			} `json:"versions"`
		} `json:"spec"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if doc.Kind != "CustomResourceDefinition" {
		return nil, fmt.Errorf("a %q, not a CustomResourceDefinition", doc.Kind)
	}
	crd := &CRD{Name: doc.Metadata.Name, Group: doc.Spec.Group, Kind: doc.Spec.Names.Kind, Schemas: map[string]any{}}
	for _, v := range doc.Spec.Versions {
		if v.Served {
			crd.Schemas[v.Name] = v.Schema.OpenAPIV3Schema
		}
	}
	return crd, nil
}
