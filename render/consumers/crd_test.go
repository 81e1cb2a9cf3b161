package consumers

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/mattermost/fleetgen/internal/upstream"
)

// chartFacts is what a chart the examples install does with CRDs, which
// a chart's metadata and default values do not say: which CRDs it
// installs (as the data set holds them: a component and the version of
// its CRDs folder, from the chart's appVersion) and which custom
// resources it creates from its values.
type chartFacts struct {
	// crds names the data set's CRDs folder of chart c, or "" when the
	// chart installs none.
	crds func(c *upstream.Chart) (component, version string)
	// crdsInTemplates: the chart installs its CRDs from templates (a
	// subchart), not from crds/, so Helm's and Argo CD's skipCrds leave
	// them in.
	crdsInTemplates bool
	creates         []resourceRef
}

// charts are the facts of every chart the examples install; a chart
// missing here fails the tests, naming it.
var charts = map[string]chartFacts{
	// argo-cd installs Argo CD's CRDs from its templates (crds.install).
	"argo-cd": {crds: func(c *upstream.Chart) (string, string) { return "argo-cd", c.AppVersion }, crdsInTemplates: true},
	// argocd-apps creates the root Application.
	"argocd-apps": {creates: []resourceRef{{"argoproj.io/v1alpha1", "Application"}}},
	// nginx-ingress carries F5 NGINX's CRDs in crds/, so each release of
	// it installs the same twelve CRDs unless skipCrds.
	"nginx-ingress": {crds: func(c *upstream.Chart) (string, string) { return "kubernetes-ingress", "v" + c.AppVersion }},
	// eck-operator installs ECK's CRDs through its eck-operator-crds
	// subchart (installCRDs).
	"eck-operator":      {crds: func(c *upstream.Chart) (string, string) { return "cloud-on-k8s", "v" + c.AppVersion }, crdsInTemplates: true},
	"eck-elasticsearch": {creates: []resourceRef{{"elasticsearch.k8s.elastic.co/v1", "Elasticsearch"}}},
	"eck-kibana":        {creates: []resourceRef{{"kibana.k8s.elastic.co/v1", "Kibana"}}},
	"prometheus":        {},
	"grafana":           {},
	"fluentd":           {},
	"fluent-bit":        {},
}

// installedCRD is a CRD and the Application (or helm_release) installing it.
type installedCRD struct {
	crd   *upstream.CRD
	owner string
}

// installedCRDs are the CRDs every chart of env installs, by CRD name,
// with every owner; a chart without facts or data is an error.
func installedCRDs(t *testing.T, d *upstream.Data, env string) map[string][]installedCRD {
	t.Helper()
	out := map[string][]installedCRD{}
	for _, s := range chartSources(t, env) {
		facts, ok := charts[s.Chart]
		if !ok {
			t.Errorf("%s: the tests know nothing of the chart %q: add what it does with CRDs to charts in %s", s.Owner, s.Chart, "render/consumers/crd_test.go")
			continue
		}
		if facts.crds == nil || s.SkipCrds && !facts.crdsInTemplates {
			continue
		}
		c, err := d.Chart(s.Chart, s.Version)
		if err != nil {
			t.Errorf("%s: %v", s.Owner, err)
			continue
		}
		component, version := facts.crds(c)
		crds, err := d.CRDsNearest(component, version)
		if err != nil {
			t.Errorf("%s: chart %s %s: %v", s.Owner, s.Chart, s.Version, err)
			continue
		}
		for _, crd := range crds {
			out[crd.Name] = append(out[crd.Name], installedCRD{crd, s.Owner})
		}
	}
	// CRDs synced as plain objects (a hydrated chart's crds/).
	for _, o := range plainObjects(t, env) {
		if o.obj["kind"] != "CustomResourceDefinition" {
			continue
		}
		crd, err := upstream.ParseCRD(o.obj)
		if err != nil {
			t.Fatalf("%s: %v", objectID(o.obj), err)
		}
		crd.Source = "out/" + env + " (Application " + o.owner + ")"
		out[crd.Name] = append(out[crd.Name], installedCRD{crd, o.owner})
	}
	return out
}

// TestCRDsHaveOneOwner: no CRD is installed by two Applications (or an
// Application and Terraform) of one environment: each would fight the
// other over it, and deleting either would delete it with every custom
// resource of its kind.
func TestCRDsHaveOneOwner(t *testing.T) {
	d := data(t)
	for _, env := range envs {
		t.Run(env, func(t *testing.T) {
			for name, owners := range installedCRDs(t, d, env) {
				if len(owners) > 1 {
					var names []string
					for _, o := range owners {
						names = append(names, o.owner)
					}
					t.Errorf("the CRD %s is installed by %s", name, strings.Join(names, " and "))
				}
			}
		})
	}
}

// TestCustomResourcesHaveCRDs: every custom resource an environment
// creates, as a plain object of out/ or through a chart's values, has its
// CRD installed by some Application of the same environment (or Terraform
// layer 2); the plain ones also validate against that CRD's schema. The
// Applications are checked against the Application CRD of the Argo CD
// that layer 2 installs.
func TestCustomResourcesHaveCRDs(t *testing.T) {
	d := data(t)
	for _, env := range envs {
		t.Run(env, func(t *testing.T) {
			installed := installedCRDs(t, d, env)
			find := func(r resourceRef) *upstream.CRD {
				for _, owners := range installed {
					if owners[0].crd.Serves(r.APIVersion, r.Kind) {
						return owners[0].crd
					}
				}
				return nil
			}
			var checked int
			for _, owned := range plainObjects(t, env) {
				o := owned.obj
				apiVersion, _ := o["apiVersion"].(string)
				if slices.Contains(builtinGroups, group(apiVersion)) {
					continue
				}
				r := resourceRef{apiVersion, fmt.Sprint(o["kind"])}
				crd := find(r)
				if crd == nil {
					t.Errorf("%s: no Application of %s installs the CRD of %s", objectID(o), env, r)
					continue
				}
				if err := crd.Validate(o); err != nil {
					t.Errorf("%s does not fit %s/%s: %v", objectID(o), crd.Source, crd.Name, err)
				}
				checked++
			}
			if checked == 0 {
				t.Error("no custom resource checked: every environment has Applications")
			}
			for _, app := range rootApplications(t, env) {
				crd := find(resourceRef{"argoproj.io/v1alpha1", "Application"})
				if crd == nil {
					continue // reported above: argocd/ holds Applications
				}
				if err := crd.Validate(app); err != nil {
					t.Errorf("the root Application of %s does not fit %s/%s: %v", env, crd.Source, crd.Name, err)
				}
				checked++
			}
			for _, s := range chartSources(t, env) {
				for _, r := range charts[s.Chart].creates {
					if find(r) == nil {
						t.Errorf("%s: the chart %s creates %s, whose CRD no Application of %s installs", s.Owner, s.Chart, r, env)
					}
				}
			}
		})
	}
}

// rootApplications are the Applications Terraform's argocd-apps release
// creates, as the chart's template builds them from its values: the map
// key is the name; namespace, finalizers, labels and annotations are
// metadata; the rest is the spec.
func rootApplications(t *testing.T, env string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, s := range chartSources(t, env) {
		if s.Chart != "argocd-apps" {
			continue
		}
		apps, _ := s.Values["applications"].(map[string]any)
		for name, v := range apps {
			spec := map[string]any{}
			metadata := map[string]any{"name": name}
			for k, e := range v.(map[string]any) {
				switch k {
				case "namespace", "finalizers", "labels", "annotations":
					metadata[k] = e
				case "additionalLabels":
					metadata["labels"] = e
				case "additionalAnnotations":
					metadata["annotations"] = e
				default:
					spec[k] = e
				}
			}
			out = append(out, map[string]any{"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": metadata, "spec": spec})
		}
	}
	return out
}
