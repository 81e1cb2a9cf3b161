package hydrate

import (
	"bytes"
	"errors"
	"io"
	"maps"
	"os"
	"path"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"gopkg.in/yaml.v3"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"

	"github.com/mattermost/fleetgen/internal/charttest"
	"github.com/mattermost/fleetgen/internal/golden"
	"github.com/mattermost/fleetgen/inventory"
	"github.com/mattermost/fleetgen/render/helm"
	"github.com/mattermost/fleetgen/render/internal/rendertest"
	"github.com/mattermost/fleetgen/render/layout"
)

// hydrate hydrates env with the given charts and the values the helm
// family renders, as the orchestrator does.
func hydrate(t testing.TB, env *inventory.Environment, charts map[*inventory.App][]byte) ([]layout.File, hcl.Diagnostics) {
	t.Helper()
	values, diags := helm.Values(env)
	if len(diags) > 0 {
		t.Fatalf("the values of %s: %s", env.Name, diags.Error())
	}
	return Render(env, charts, values)
}

// diagnostic is the only diagnostic of diags, failing the test unless
// there is exactly one.
func diagnostic(t *testing.T, diags hcl.Diagnostics) *hcl.Diagnostic {
	t.Helper()
	if len(diags) != 1 {
		t.Fatalf("want one diagnostic, got %d: %v", len(diags), diags)
	}
	return diags[0]
}

// TestHydrateExampleGolden holds the sandbox environment's hydrated
// manifests to their goldens, and checks every manifest is one Kubernetes
// object (apiVersion, kind, metadata.name) listed by the kustomization.
func TestHydrateExampleGolden(t *testing.T) {
	inv := rendertest.LoadInventory(t, rendertest.Examples())
	charts := rendertest.ExampleCharts(t, inv)
	manifests := map[string][]layout.File{} // by app folder
	for _, env := range inv.Environments {
		files, diags := hydrate(t, env, charts)
		if len(diags) > 0 {
			t.Fatal(diags.Error())
		}
		if env.GitOps.Hydrate != (len(files) > 0) {
			t.Errorf("%s: hydrate = %v, but %d files", env.Name, env.GitOps.Hydrate, len(files))
		}
		for _, f := range files {
			rendertest.CheckFileGuarantees(t, f)
			app := path.Dir(f.Path)
			if !slices.ContainsFunc(env.DeliveredApps(), func(a *inventory.App) bool { return app == layout.Manifests(env.Name, a.Name) }) {
				t.Errorf("%s is not in the manifests folder of an app", f.Path)
			}
			manifests[app] = append(manifests[app], f)
			golden.Assert(t, path.Join("testdata", strings.TrimPrefix(f.Path, env.Name+"/")), f.Data)
		}
	}
	if len(manifests) == 0 {
		t.Fatal("no environment of the examples is hydrated")
	}
	for app, fs := range manifests {
		checkManifests(t, app, fs)
		buildKustomization(t, app, fs)
	}
	hello := manifests["sandbox/manifests/hello"]
	kinds := map[string]bool{}
	for _, f := range hello {
		kinds[strings.SplitN(path.Base(f.Path), "_", 2)[0]] = true
	}
	// The CRD from crds/, the custom resource its API version enables, the
	// hook kept; no Secret (existingSecret is set, so the guarded
	// randAlphaNum is never reached) and no NOTES.txt.
	for _, want := range []string{"customresourcedefinition", "greeting", "job", "deployment", "service", "configmap"} {
		if !kinds[want] {
			t.Errorf("no %s among the hydrated manifests of hello: %v", want, slices.Sorted(maps.Keys(kinds)))
		}
	}
	if kinds["secret"] {
		t.Error("hello rendered its generated Secret although existingSecret is set")
	}
}

// checkManifests decodes every manifest of one app folder: exactly one
// YAML document, a Kubernetes object, and the kustomization lists exactly
// the other files.
func checkManifests(t *testing.T, dir string, files []layout.File) {
	t.Helper()
	var listed, present []string
	for _, f := range files {
		name := path.Base(f.Path)
		if name == layout.Kustomization {
			var k struct {
				APIVersion string   `yaml:"apiVersion"`
				Kind       string   `yaml:"kind"`
				Resources  []string `yaml:"resources"`
			}
			if err := yaml.Unmarshal(f.Data, &k); err != nil || k.Kind != "Kustomization" || k.APIVersion != "kustomize.config.k8s.io/v1beta1" {
				t.Errorf("%s: not a kustomization: %v", f.Path, err)
			}
			listed = k.Resources
			continue
		}
		present = append(present, name)
		dec := yaml.NewDecoder(bytes.NewReader(f.Data))
		var obj map[string]any
		if err := dec.Decode(&obj); err != nil {
			t.Errorf("%s: %v", f.Path, err)
			continue
		}
		meta, _ := obj["metadata"].(map[string]any)
		if s, _ := obj["apiVersion"].(string); s == "" {
			t.Errorf("%s: no apiVersion", f.Path)
		}
		if s, _ := obj["kind"].(string); s == "" {
			t.Errorf("%s: no kind", f.Path)
		}
		if s, _ := meta["name"].(string); s == "" {
			t.Errorf("%s: no metadata.name", f.Path)
		}
		if err := dec.Decode(&obj); !errors.Is(err, io.EOF) {
			t.Errorf("%s: more than one document", f.Path)
		}
	}
	slices.Sort(present)
	if !slices.Equal(listed, present) {
		t.Errorf("%s: the kustomization lists %v, the folder holds %v", dir, listed, present)
	}
}

// buildKustomization builds one app folder with kustomize (krusty, in
// memory), as Argo CD does: every file must be a resource kustomize
// accepts, with no two objects of the same ID.
func buildKustomization(t *testing.T, dir string, files []layout.File) {
	t.Helper()
	m := rendertest.KustomizeBuild(t, files, dir)
	if n := m.Size(); n != len(files)-1 {
		t.Errorf("kustomize build %s: %d objects, want %d", dir, n, len(files)-1)
	}
}

// hydratedInventory is an environment with hydration on and one custom app
// "web" of the chart web 1.0.0, with the given values (HCL) and a
// pre-rendered archive.
func hydratedInventory(t *testing.T, values string) *inventory.Inventory {
	t.Helper()
	dir := t.TempDir()
	if err := os.Mkdir(path.Join(dir, "lab"), 0o755); err != nil {
		t.Fatal(err)
	}
	rendertest.WriteFile(t, path.Join(dir, "lab", "environment.hcl"), `environment "lab" {
  account_id = "111111111111"
  region     = "eu-west-1"
  terraform {
    state_bucket = "fleet-state-lab"
    role_arn     = "arn:aws:iam::111111111111:role/fleet-deployer"
    module_ref   = "v1.6.0"
  }
  network {
    vpc_id             = "vpc-0123456789abcdef0"
    private_subnet_ids = ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"]
  }
  dns {
    private_zone_id = "Z0123456789ABCDEFGHIJ"
    private_domain  = "lab.example.com"
  }
  cluster {
    kubernetes_version = "1.31"
    instance_type      = "t3.medium"
    min_size           = 1
    desired_size       = 1
    max_size           = 1
  }
  gitops {
    repo_url = "https://github.com/example/fleet.git"
    hydrate  = true
  }
  app "web" {
    chart      = "web"
    repository = "https://charts.example.com"
    version    = "1.0.0"
    namespace  = "web"
    values     = `+values+`
  }
}
`)
	return rendertest.LoadInventory(t, dir)
}

// renderWeb hydrates hydratedInventory with a chart of the given templates.
func renderWeb(t *testing.T, values string, templates map[string]string) ([]layout.File, hcl.Diagnostics) {
	t.Helper()
	env := hydratedInventory(t, values).Environments[0]
	archive := charttest.Build(t, "web", "1.0.0", templates)
	return hydrate(t, env, map[*inventory.App][]byte{env.Apps[0]: archive})
}

const webConfigMap = `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-web
  namespace: {{ .Release.Namespace }}
data:
  kube: {{ .Capabilities.KubeVersion.Version | quote }}
  install: {{ .Release.IsInstall | quote }}
  found: {{ lookup "v1" "Secret" "web" "x" | len | quote }}
  message: {{ .Values.message | quote }}
`

// TestHydrateRendersClientOnly: the pinned Kubernetes version, IsInstall,
// the release's name and namespace, lookup empty, and two renders equal.
func TestHydrateRendersClientOnly(t *testing.T) {
	first, diags := renderWeb(t, `{ message = "hi" }`, map[string]string{"cm.yaml": webConfigMap})
	if len(diags) > 0 {
		t.Fatal(diags.Error())
	}
	cm := fileAt(t, first, "lab/manifests/web/configmap_mattermost-cm-web-web.yaml")
	for _, want := range []string{`kube: "v1.31.0"`, `install: "true"`, `found: "0"`, `message: "hi"`, "# Source: web/templates/cm.yaml"} {
		if !strings.Contains(string(cm), want) {
			t.Errorf("the hydrated ConfigMap lacks %q:\n%s", want, cm)
		}
	}
	second, diags := renderWeb(t, `{ message = "hi" }`, map[string]string{"cm.yaml": webConfigMap})
	if len(diags) > 0 {
		t.Fatal(diags.Error())
	}
	if !slices.EqualFunc(first, second, func(a, b layout.File) bool { return a.Path == b.Path && bytes.Equal(a.Data, b.Data) }) {
		t.Error("two hydrations of the same chart and values differ")
	}
}

func fileAt(t *testing.T, files []layout.File, p string) []byte {
	t.Helper()
	for _, f := range files {
		if f.Path == p {
			return f.Data
		}
	}
	var paths []string
	for _, f := range files {
		paths = append(paths, f.Path)
	}
	t.Fatalf("no file %s among %v", p, paths)
	return nil
}

// TestHydrateRefusesNonDeterministicCharts: a call to a random, clock or
// key-generating function whose result reaches the output is refused by
// chart and template, even in a helper or in argument position, even when
// two real renders would agree (the year); a call that is not reached, or
// whose result a given value overrides (`default (randAlphaNum 16)`, a
// variable used only when no value is given), is not.
func TestHydrateRefusesNonDeterministicCharts(t *testing.T) {
	for _, tc := range []struct {
		name      string
		templates map[string]string
		values    string
		want      []string // in the detail; nil: renders
	}{
		{"randAlphaNum", map[string]string{"secret.yaml": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  password: {{ randAlphaNum 16 | b64enc }}\n"}, `{}`,
			[]string{`chart "web"`, "randAlphaNum", "web/templates/secret.yaml:6"}},
		{"in a helper", map[string]string{
			"_helpers.tpl": "{{- define \"pw\" -}}\n{{ .Values.word | default (randAscii 10) }}\n{{- end -}}\n",
			"cm.yaml":      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  pw: {{ include \"pw\" . | quote }}\n"}, `{}`,
			[]string{"randAscii", "web/templates/_helpers.tpl:2", "rendering web/templates/cm.yaml"}},
		{"argument position", map[string]string{"cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  year: {{ date \"2006\" now | quote }}\n"}, `{}`,
			[]string{"now", "web/templates/cm.yaml:6"}},
		{"generated certificate", map[string]string{"cm.yaml": "{{- $ca := genCA \"ca\" 365 }}\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  ca: {{ $ca.Cert | quote }}\n"}, `{}`,
			[]string{"genCA", "web/templates/cm.yaml:1"}},
		{"piped into", map[string]string{"cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  id: {{ \"abcdefgh\" | print | shuffle | quote }}\n"}, `{}`,
			[]string{"shuffle", "web/templates/cm.yaml:6"}},
		{"result unused", map[string]string{"cm.yaml": "{{- $_ := randNumeric 4 }}\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"}, `{}`,
			nil},
		{"default given", map[string]string{"secret.yaml": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  password: {{ .Values.word | default (randAlphaNum 16) | b64enc }}\n  key: {{ .Values.seed | default (genPrivateKey \"ecdsa\") | b64enc }}\n"}, `{ word = "given", seed = "pem" }`,
			nil},
		{"default not given", map[string]string{"secret.yaml": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  password: {{ .Values.word | default (randAlphaNum 16) | b64enc }}\n  key: {{ .Values.seed | default (genPrivateKey \"ecdsa\") | b64enc }}\n"}, `{ word = "given" }`,
			[]string{"genPrivateKey", "web/templates/secret.yaml:7"}},
		{"variable set once, used if not given", map[string]string{"secret.yaml": "{{- $pw := randAlphaNum 16 }}\n{{- $ca := genCA \"ca\" 365 }}\napiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  password: {{ .Values.word | default $pw | b64enc }}\n"}, `{ word = "given" }`,
			nil},
		{"decides an index", map[string]string{"cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  zone: {{ index (list \"a\" \"b\") (randInt 0 2) }}\n"}, `{}`,
			[]string{"randInt", "web/templates/cm.yaml:6"}},
		{"only the year", map[string]string{"cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  year: {{ now | date \"2006\" | quote }}\n"}, `{}`,
			[]string{"now", "web/templates/cm.yaml:6"}},
		{"decides whether it renders", map[string]string{"cm.yaml": "{{- if ne (len (randAlphaNum 5)) 5 }}{{ fail \"too long\" }}{{ end }}\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"}, `{}`,
			[]string{"randAlphaNum", "web/templates/cm.yaml:1"}},
		{"a key checked, then unused", map[string]string{"cm.yaml": "{{- $k := genPrivateKey \"ecdsa\" }}{{ if not (hasPrefix \"-----BEGIN\" $k) }}{{ fail \"not a key\" }}{{ end }}\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"}, `{}`,
			nil},
		{"only together", map[string]string{"cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  both: {{ and (eq (randInt 0 9) 2) (eq (randInt 0 9) 2) | quote }}\n"}, `{}`,
			[]string{"randInt", "web/templates/cm.yaml:6"}},
		{"not reached", map[string]string{"secret.yaml": "{{- if not .Values.existingSecret }}\napiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  password: {{ randAlphaNum 16 | b64enc }}\n{{- end }}\n"}, `{ existingSecret = "given" }`,
			nil},
		{"lazy or", map[string]string{"cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  pw: {{ or .Values.word (randAlphaNum 8) | quote }}\n"}, `{ word = "given" }`,
			nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, diags := renderWeb(t, tc.values, tc.templates)
			if tc.want == nil {
				if len(diags) > 0 {
					t.Fatalf("a chart whose non-deterministic call is not reached is refused: %v", diags)
				}
				return
			}
			diag := diagnostic(t, diags)
			if diag.Summary != "Non-deterministic chart" {
				t.Fatalf("want a Non-deterministic chart diagnostic, got %v", diag)
			}
			for _, w := range tc.want {
				if !strings.Contains(diag.Detail, w) {
					t.Errorf("the detail does not name %q:\n%s", w, diag.Detail)
				}
			}
			if diag.Subject == nil || diag.Subject.Start.Line != 31 {
				t.Errorf("want the diagnostic at the app's version (line 31), got %v", diag.Subject)
			}
		})
	}
}

// TestHydrateRendersTwice: what the guard cannot see, a random function
// in a values string that the chart renders with tpl, changes the second
// render, which names the template.
func TestHydrateRendersTwice(t *testing.T) {
	_, diags := renderWeb(t, `{ name = "{{ randAlphaNum 12 }}" }`, map[string]string{
		"cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  n: {{ tpl .Values.name . | quote }}\n"})
	if diag := diagnostic(t, diags); diag.Summary != "Non-deterministic chart" || !strings.Contains(diag.Detail, "web/templates/cm.yaml differently on two renders") {
		t.Fatalf("want a Non-deterministic chart diagnostic naming the template, got %v", diag)
	}
}

// TestHydrateWithoutCharts: a hydrated environment rendered without its
// charts is a diagnostic at the app, never a panic or a silent skip.
func TestHydrateWithoutCharts(t *testing.T) {
	files, diags := hydrate(t, hydratedInventory(t, `{}`).Environments[0], nil)
	if diag := diagnostic(t, diags); diag.Summary != "Chart not loaded" || diag.Subject == nil {
		t.Fatalf("want a Chart not loaded diagnostic, got %v", diag)
	}
	if files != nil {
		t.Errorf("%d files hydrated with an error", len(files))
	}
}

// TestHydrateChartFailures: values the chart's schema refuses, a template
// that renders something that is not an object, and an object rendered
// twice are diagnostics naming the chart.
func TestHydrateChartFailures(t *testing.T) {
	for _, tc := range []struct {
		name, summary string
		templates     map[string]string
	}{
		{"fail", "Chart does not render", map[string]string{"cm.yaml": `{{ fail "no way" }}`}},
		{"not an object", "Chart renders a non-object", map[string]string{"cm.yaml": "apiVersion: v1\nkind: ConfigMap\n"}},
		{"twice", "Chart renders an object twice", map[string]string{"a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n", "b.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"}},
		{"invalid YAML", "Chart renders invalid YAML", map[string]string{"a.yaml": "apiVersion: v1\nkind: [\n"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, diags := renderWeb(t, `{ a = 1 }`, tc.templates)
			diag := diagnostic(t, diags)
			if diag.Summary != tc.summary {
				t.Fatalf("want %q, got %v", tc.summary, diag)
			}
			if !strings.Contains(diag.Detail, `"web"`) || diag.Subject == nil || diag.Subject.Start.Line != 33 {
				t.Errorf("want the chart named and the values (line 33) pointed at: %s at %v", diag.Detail, diag.Subject)
			}
		})
	}
}

// TestGuardTemplateLeavesOthersAlone: templates without the guarded
// functions come back byte for byte.
func TestGuardTemplateLeavesOthersAlone(t *testing.T) {
	src := []byte("{{- define \"x\" }}{{ .Values.a | default \"now\" }}{{ end }}\nkind: {{ include \"x\" . }}\n")
	got, sites := guardTemplate("c/templates/a.yaml", src, func(int) variant { return variantA })
	if !bytes.Equal(got, src) || len(sites) != 0 {
		t.Errorf("rewrote a template with no guarded call: %v\n%s", sites, got)
	}
}

// TestHydrateSubchartsAndCRDs: a subchart disabled by its condition renders
// nothing, not even its CRDs, and the API versions a chart sees include
// those of the CRDs that are installed with it.
func TestHydrateSubchartsAndCRDs(t *testing.T) {
	db := &chart.Chart{
		Metadata:  &chart.Metadata{APIVersion: chart.APIVersionV2, Name: "db", Version: "0.1.0"},
		Values:    map[string]any{},
		Templates: []*chart.File{{Name: "templates/cm.yaml", Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: db\n")}},
		Files: []*chart.File{{Name: "crds/backups.yaml", Data: []byte(`apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: backups.db.example.com
spec:
  group: db.example.com
  names: {kind: Backup, plural: backups}
  scope: Namespaced
  versions: [{name: v1, served: true, storage: true}]
`)}},
	}
	web := &chart.Chart{
		Metadata: &chart.Metadata{APIVersion: chart.APIVersionV2, Name: "web", Version: "1.0.0",
			Dependencies: []*chart.Dependency{{Name: "db", Version: "0.1.0", Condition: "db.enabled"}}},
		Raw: []*chart.File{{Name: chartutil.ValuesfileName, Data: []byte("db:\n  enabled: false\n")}},
		Templates: []*chart.File{{Name: "templates/backup.yaml", Data: []byte(
			"{{- if .Capabilities.APIVersions.Has \"db.example.com/v1/Backup\" }}\napiVersion: db.example.com/v1\nkind: Backup\nmetadata:\n  name: nightly\n{{- end }}\n")}},
	}
	web.AddDependency(db)
	dir := t.TempDir()
	saved, err := chartutil.Save(web, dir)
	if err != nil {
		t.Fatal(err)
	}
	archive, err := os.ReadFile(saved)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		values string
		want   []string
	}{
		{`{}`, []string{"kustomization.yaml"}},
		{`{ db = { enabled = true } }`, []string{"backup_nightly.yaml", "configmap_db.yaml", "customresourcedefinition_backups.db.example.com.yaml", "kustomization.yaml"}},
	} {
		env := hydratedInventory(t, tc.values).Environments[0]
		files, diags := hydrate(t, env, map[*inventory.App][]byte{env.Apps[0]: archive})
		if len(diags) > 0 {
			t.Fatal(diags.Error())
		}
		var got []string
		for _, f := range files {
			if d, name := path.Split(f.Path); d == "lab/manifests/web/" {
				got = append(got, name)
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, tc.want) {
			t.Errorf("values %s: hydrated %v, want %v", tc.values, got, tc.want)
		}
	}
}

// TestHydrateExpandsLists: a chart that renders a list (kube-prometheus-
// stack renders its Grafana dashboards as a ConfigMapList) is split into
// its objects, one file each, as Helm's client and Argo CD apply them; an
// RBAC name with a colon ("system:…", valid for RBAC) makes a file name
// kustomize builds.
func TestHydrateExpandsLists(t *testing.T) {
	files, diags := renderWeb(t, `{ a = 1 }`, map[string]string{
		"dashboards.yaml": "apiVersion: v1\nkind: ConfigMapList\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: dash-a\n  data:\n    a.json: '{}'\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: dash-b\n    namespace: {{ .Release.Namespace }}\n  data:\n    b.json: '{}'\n",
		"empty.yaml":      "apiVersion: v1\nkind: List\nitems: []\n",
		"role.yaml":       "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: system:web\nrules: []\n",
	})
	if len(diags) > 0 {
		t.Fatal(diags.Error())
	}
	var app []layout.File
	for _, f := range files {
		if strings.HasPrefix(f.Path, "lab/manifests/web/") {
			app = append(app, f)
		}
	}
	a := fileAt(t, app, "lab/manifests/web/configmap_dash-a.yaml")
	if !strings.Contains(string(a), "# Source: web/templates/dashboards.yaml") || !strings.Contains(string(a), "a.json: '{}'") || strings.Contains(string(a), "items:") {
		t.Errorf("the first item is not an object of its own:\n%s", a)
	}
	fileAt(t, app, "lab/manifests/web/configmap_dash-b.yaml")
	fileAt(t, app, "lab/manifests/web/clusterrole_system:web.yaml")
	if len(app) != 4 {
		t.Errorf("want the kustomization and 3 objects, got %d files", len(app))
	}
	checkManifests(t, "lab/manifests/web", app)
	buildKustomization(t, "lab/manifests/web", app)
}

// TestGuardTemplateRewrite: each guarded call, numbered in source order,
// becomes a coalesce of its fixed value, or stays as it is (variantReal);
// the lines do not move.
func TestGuardTemplateRewrite(t *testing.T) {
	src := "a: {{ 5 | randAlphaNum | b64enc }}\n{{- define \"d\" }}{{ uuidv4 }}{{ end }}\nb: {{ date \"2006\" now }}\n"
	got, sites := guardTemplate("c/templates/a.yaml", []byte(src), func(i int) variant { return []variant{variantA, variantReal, variantB}[i] })
	want := "a: {{ 5 | coalesce \"fleetgenfixedvalueaaaa\" | b64enc }}\n{{- define \"d\" }}{{ uuidv4 }}{{ end }}\n" +
		"b: {{ date \"2006\" (coalesce (toDate \"2006-01-02T15:04:05.999999999Z07:00\" \"2012-11-10T09:08:07.987654321Z\")) }}\n"
	if string(got) != want {
		t.Errorf("rewrote\n%s\nwant\n%s", got, want)
	}
	wantSites := []guardSite{{"randAlphaNum", "c/templates/a.yaml:1"}, {"uuidv4", "c/templates/a.yaml:2"}, {"now", "c/templates/a.yaml:3"}}
	if !slices.Equal(sites, wantSites) {
		t.Errorf("sites %v, want %v", sites, wantSites)
	}
}

// TestHydrateCollectsEveryProblem: every app that cannot be hydrated has
// its diagnostic, in inventory order, and nothing is hydrated.
func TestHydrateCollectsEveryProblem(t *testing.T) {
	env := hydratedInventory(t, `{}`).Environments[0]
	web := env.Apps[0]
	for _, name := range []string{"api", "db"} {
		app := *web
		app.Name, app.Release, app.Namespace = name, name, name
		env.Apps = append(env.Apps, &app)
	}
	charts := map[*inventory.App][]byte{
		web:         charttest.Build(t, "web", "1.0.0", map[string]string{"cm.yaml": `{{ fail "no way" }}`}),
		env.Apps[2]: charttest.Build(t, "web", "1.0.0", map[string]string{"cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  id: {{ uuidv4 }}\n"}),
	}
	files, diags := hydrate(t, env, charts)
	var got []string
	for _, d := range diags {
		got = append(got, d.Summary)
	}
	// The charts not given come first: they are found before any renders.
	want := []string{"Chart not loaded", "Chart does not render", "Non-deterministic chart"}
	if !slices.Equal(got, want) {
		t.Errorf("diagnostics %q, want %q", got, want)
	}
	if files != nil {
		t.Errorf("%d files hydrated with errors", len(files))
	}
}

// TestHydrateValuesFromTheCaller: an app without values (the helm family
// reported why) is skipped; no values at all is the caller's bug; an
// environment that is not hydrated renders nothing.
func TestHydrateValuesFromTheCaller(t *testing.T) {
	env := hydratedInventory(t, `{}`).Environments[0]
	charts := map[*inventory.App][]byte{env.Apps[0]: charttest.Build(t, "web", "1.0.0", map[string]string{"cm.yaml": webConfigMap})}
	if files, diags := Render(env, charts, map[*inventory.App][]byte{}); files != nil || diags != nil {
		t.Errorf("an app without values: %d files, diagnostics %v", len(files), diags)
	}
	rendertest.WantPanic(t, func() { Render(env, charts, nil) }, `"lab"`, "helm.Values")
	env.GitOps.Hydrate = false
	if files, diags := Render(env, nil, nil); files != nil || diags != nil {
		t.Errorf("an environment that is not hydrated: %d files, diagnostics %v", len(files), diags)
	}
}

// TestHydrateCRDsOnce: two releases of one chart in a hydrated
// environment install its CRDs once, from the release that owns them
// (inventory.OwnsCRDs), as skipCrds does for the other unhydrated.
func TestHydrateCRDsOnce(t *testing.T) {
	inv := rendertest.LoadInventory(t, rendertest.Examples())
	charts := rendertest.ExampleCharts(t, inv)
	var env *inventory.Environment
	for _, e := range inv.Environments {
		if e.GitOps.Hydrate {
			env = e
		}
	}
	if env == nil || len(env.Apps) != 1 {
		t.Fatal("the examples have no hydrated environment with one app")
	}
	second := *env.Apps[0]
	second.Name, second.Release = "hello2", "mattermost-cm-hello2"
	env.Apps = append(env.Apps, &second)
	charts[&second] = charts[env.Apps[0]]
	files, diags := hydrate(t, env, charts)
	if len(diags) > 0 {
		t.Fatal(diags.Error())
	}
	crds := map[string]int{}
	for _, f := range files {
		if strings.HasPrefix(path.Base(f.Path), "customresourcedefinition_") {
			crds[path.Dir(f.Path)]++
		}
	}
	if crds[layout.Manifests(env.Name, "hello")] == 0 || crds[layout.Manifests(env.Name, "hello2")] != 0 {
		t.Errorf("CRD files by app folder: %v, want them under hello only", crds)
	}
}
