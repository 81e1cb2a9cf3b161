package consumers

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	ctyjson "github.com/zclconf/go-cty/cty/json"
	"gopkg.in/yaml.v3"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/mattermost/fleetgen/internal/upstream"
	"github.com/mattermost/fleetgen/render/internal/rendertest"
	"github.com/mattermost/fleetgen/render/layout"
)

// envs are the example environments whose out/ the tests read.
var envs = []string{"dev", "prod", "sandbox"}

// outDir is the committed out/.
func outDir() string { return filepath.Join(rendertest.Root(), layout.CommittedDir) }

func data(t *testing.T) *upstream.Data {
	t.Helper()
	d, err := upstream.Locate()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// chartSource is one chart an environment installs: a chart source of an
// Application, or a helm_release of Terraform layer 2.
type chartSource struct {
	// Owner is the Application (or "terraform:<resource>") installing it.
	Owner                   string
	RepoURL, Chart, Version string
	SkipCrds                bool
	// ValuesFile is the values file of out/ the Application reads, if any.
	ValuesFile string
	// Values are the inline values of a helm_release, if any.
	Values map[string]any
}

// application is the part of an Application the tests read.
type application struct {
	Metadata struct {
		Name        string            `yaml:"name"`
		Annotations map[string]string `yaml:"annotations"`
	} `yaml:"metadata"`
	Spec struct {
		Source  *appSource  `yaml:"source"`
		Sources []appSource `yaml:"sources"`
	} `yaml:"spec"`
}

type appSource struct {
	RepoURL        string `yaml:"repoURL"`
	Chart          string `yaml:"chart"`
	Path           string `yaml:"path"`
	TargetRevision string `yaml:"targetRevision"`
	Helm           *struct {
		ValueFiles []string `yaml:"valueFiles"`
		SkipCrds   bool     `yaml:"skipCrds"`
	} `yaml:"helm"`
}

// objects decodes every YAML document of data.
func objects(t *testing.T, data []byte) []map[string]any {
	t.Helper()
	var out []map[string]any
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var o map[string]any
		if err := dec.Decode(&o); errors.Is(err, io.EOF) {
			return out
		} else if err != nil {
			t.Fatal(err)
		}
		if o != nil {
			out = append(out, o)
		}
	}
}

// kustomizeBuild builds the kustomization of out/ at dir with kustomize's
// library, as Argo CD does, reading the committed tree.
func kustomizeBuild(t *testing.T, dir string) []map[string]any {
	t.Helper()
	res, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), filepath.Join(outDir(), dir))
	if err != nil {
		t.Fatalf("kustomize build %s: %v", dir, err)
	}
	stream, err := res.AsYaml()
	if err != nil {
		t.Fatal(err)
	}
	return objects(t, stream)
}

// applications are the Applications of env's argocd/ kustomization, with
// the other objects it holds.
func applications(t *testing.T, env string) (apps []application, raw []map[string]any) {
	t.Helper()
	for _, o := range kustomizeBuild(t, layout.ArgoCD(env)) {
		raw = append(raw, o)
		if o["kind"] != "Application" {
			continue
		}
		data, _ := yaml.Marshal(o)
		var a application
		if err := yaml.Unmarshal(data, &a); err != nil {
			t.Fatal(err)
		}
		apps = append(apps, a)
	}
	return apps, raw
}

// chartSources are every chart env installs: its Applications' chart
// sources and Terraform layer 2's helm_releases.
func chartSources(t *testing.T, env string) []chartSource {
	t.Helper()
	apps, _ := applications(t, env)
	var out []chartSource
	for _, a := range apps {
		sources := a.Spec.Sources
		if a.Spec.Source != nil {
			sources = append(sources, *a.Spec.Source)
		}
		for _, s := range sources {
			if s.Chart == "" {
				continue
			}
			cs := chartSource{Owner: a.Metadata.Name, RepoURL: s.RepoURL, Chart: s.Chart, Version: s.TargetRevision}
			if s.Helm != nil {
				cs.SkipCrds = s.Helm.SkipCrds
				for _, vf := range s.Helm.ValueFiles {
					_, rel, _ := strings.Cut(vf, "/"+layout.CommittedDir+"/")
					cs.ValuesFile = rel
				}
			}
			out = append(out, cs)
		}
	}
	return append(out, helmReleases(t, env)...)
}

// helmReleases are the helm_release resources of env's Terraform layer 2,
// with their literal repository, chart and version, and the object inside
// yamlencode(…) of their values.
func helmReleases(t *testing.T, env string) []chartSource {
	t.Helper()
	dir := filepath.Join(outDir(), env, "terraform", layout.LayerPost)
	files, _ := filepath.Glob(filepath.Join(dir, "*.tf"))
	if len(files) == 0 {
		t.Fatalf("no Terraform files in %s", dir)
	}
	var out []chartSource
	p := hclparse.NewParser()
	for _, file := range files {
		f, diags := p.ParseHCLFile(file)
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		for _, b := range f.Body.(*hclsyntax.Body).Blocks {
			if b.Type != "resource" || len(b.Labels) != 2 || b.Labels[0] != "helm_release" {
				continue
			}
			cs := chartSource{Owner: "terraform:helm_release." + b.Labels[1]}
			for name, dst := range map[string]*string{"repository": &cs.RepoURL, "chart": &cs.Chart, "version": &cs.Version} {
				attr, ok := b.Body.Attributes[name]
				if !ok {
					t.Fatalf("%s: %s has no %s", file, cs.Owner, name)
				}
				v, diags := attr.Expr.Value(nil)
				if diags.HasErrors() {
					t.Fatalf("%s: %s.%s is not a literal: %v", file, cs.Owner, name, diags)
				}
				*dst = v.AsString()
			}
			if attr, ok := b.Body.Attributes["values"]; ok {
				cs.Values = yamlencodeArg(t, attr.Expr)
			}
			out = append(out, cs)
		}
	}
	return out
}

// yamlencodeArg is the object of [yamlencode({...})].
func yamlencodeArg(t *testing.T, expr hcl.Expression) map[string]any {
	t.Helper()
	tuple, ok := expr.(*hclsyntax.TupleConsExpr)
	if !ok || len(tuple.Exprs) != 1 {
		t.Fatalf("values is not [yamlencode(…)]")
	}
	call, ok := tuple.Exprs[0].(*hclsyntax.FunctionCallExpr)
	if !ok || call.Name != "yamlencode" || len(call.Args) != 1 {
		t.Fatalf("values is not [yamlencode(…)]")
	}
	v, diags := call.Args[0].Value(nil)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	data, err := ctyjson.Marshal(v, v.Type())
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// readValues reads a values file of out/.
func readValues(t *testing.T, rel string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(outDir(), filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	if err := yaml.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	if v == nil {
		v = map[string]any{}
	}
	return v
}

// TestPinnedChartsExist: every chart an example environment installs, by
// Argo CD or by Terraform, is pinned to an exact version its repository
// serves, per the repository indexes of the data set; every Application
// that syncs a path of this repository names one that exists.
func TestPinnedChartsExist(t *testing.T) {
	d := data(t)
	for _, env := range envs {
		t.Run(env, func(t *testing.T) {
			sources := chartSources(t, env)
			if !slices.ContainsFunc(sources, func(s chartSource) bool { return strings.HasPrefix(s.Owner, "terraform:") }) {
				t.Error("no helm_release in Terraform layer 2: the test reads nothing there")
			}
			for _, s := range sources {
				if _, err := d.Lookup(s.RepoURL, s.Chart, s.Version); err != nil {
					t.Errorf("%s: chart %s %s from %s: %v", s.Owner, s.Chart, s.Version, s.RepoURL, err)
				}
			}
			apps, _ := applications(t, env)
			for _, a := range apps {
				for _, s := range append(a.Spec.Sources, derefSource(a.Spec.Source)...) {
					if s.Path == "" {
						continue
					}
					rel, ok := strings.CutPrefix(s.Path, layout.CommittedDir+"/")
					if info, err := os.Stat(filepath.Join(outDir(), filepath.FromSlash(rel))); !ok || err != nil || !info.IsDir() {
						t.Errorf("%s: path %q is no folder of out/", a.Metadata.Name, s.Path)
					}
				}
			}
		})
	}
}

func derefSource(s *appSource) []appSource {
	if s == nil {
		return nil
	}
	return []appSource{*s}
}

// builtinGroups are the API groups Kubernetes serves itself.
var builtinGroups = []string{"", "apps", "batch", "policy", "autoscaling", "networking.k8s.io", "rbac.authorization.k8s.io",
	"storage.k8s.io", "apiextensions.k8s.io", "admissionregistration.k8s.io", "coordination.k8s.io", "discovery.k8s.io",
	"scheduling.k8s.io", "certificates.k8s.io", "node.k8s.io"}

func group(apiVersion string) string {
	g, _, ok := strings.Cut(apiVersion, "/")
	if !ok {
		return ""
	}
	return g
}

// ownedObject is a plain object and the Application syncing it.
type ownedObject struct {
	owner string
	obj   map[string]any
}

// plainObjects are the objects of every kustomization env's Applications
// sync from this repository (k8s/, provisioner/, hydrated manifests/) and
// of argocd/ itself, which Terraform's root Application syncs.
func plainObjects(t *testing.T, env string) []ownedObject {
	t.Helper()
	apps, raw := applications(t, env)
	var objs []ownedObject
	for _, o := range raw {
		objs = append(objs, ownedObject{"root", o})
	}
	for _, a := range apps {
		for _, s := range append(a.Spec.Sources, derefSource(a.Spec.Source)...) {
			if rel, ok := strings.CutPrefix(s.Path, layout.CommittedDir+"/"); ok && s.Chart == "" {
				for _, o := range kustomizeBuild(t, rel) {
					objs = append(objs, ownedObject{a.Metadata.Name, o})
				}
			}
		}
	}
	return objs
}

// resourceRef names a kind of custom resource.
type resourceRef struct{ APIVersion, Kind string }

func (r resourceRef) String() string { return r.APIVersion + " " + r.Kind }

// objectsID is how a test names an object.
func objectID(o map[string]any) string {
	md, _ := o["metadata"].(map[string]any)
	return path.Join(o["apiVersion"].(string), o["kind"].(string), toString(md["namespace"]), toString(md["name"]))
}

func toString(v any) string {
	s, _ := v.(string)
	return s
}
