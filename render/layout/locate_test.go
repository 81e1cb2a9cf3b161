package layout

import "testing"

// TestLocate pins the classification `fleetgen affected` relies on, one
// path of each kind the renderers write (and the Argo CD folders of the
// next issue, which must count as the Argo CD side before they exist).
func TestLocate(t *testing.T) {
	for _, tc := range []struct {
		path string
		want Location
	}{
		{".fleetgen-manifest.json", Location{Kind: KindNone}},
		{".fleetgen-journal.json", Location{Kind: KindNone}},
		{".fleetgen.lock", Location{Kind: KindNone}},
		{"notes.txt", Location{Kind: KindUnknown}},
		{"prod/README.md", Location{Kind: KindNone, Env: "prod"}},
		{"prod/notes.txt", Location{Kind: KindUnknown, Env: "prod"}},
		{"prod/terraform/1-cluster/main.tf", Location{Kind: KindTerraform, Env: "prod", Layer: "1-cluster"}},
		{"prod/terraform/3-route53-registration/sub/x.tf", Location{Kind: KindTerraform, Env: "prod", Layer: "3-route53-registration"}},
		{"prod/terraform/4-other/main.tf", Location{Kind: KindUnknown, Env: "prod"}},
		{"prod/terraform/README.md", Location{Kind: KindUnknown, Env: "prod"}},
		{"prod/helm/grafana.values.yaml", Location{Kind: KindArgoCD, Env: "prod"}},
		{"prod/prometheus/rules/federation.rules.yml", Location{Kind: KindArgoCD, Env: "prod"}},
		{"prod/argocd/grafana.yaml", Location{Kind: KindArgoCD, Env: "prod"}},
		{"prod/k8s/namespace.yaml", Location{Kind: KindArgoCD, Env: "prod"}},
		{"prod/manifests/grafana/all.yaml", Location{Kind: KindArgoCD, Env: "prod"}},
		{"prod/ha/acme/README.md", Location{Kind: KindHACluster, Env: "prod", Cluster: "acme"}},
		{"prod/ha/acme/known_hosts", Location{Kind: KindHACluster, Env: "prod", Cluster: "acme"}},
		{"prod/ha/acme/app1/apply.sh", Location{Kind: KindHANode, Env: "prod", Cluster: "acme", Node: "app1"}},
		{"prod/ha/acme/app1/etc/ufw/after.rules", Location{Kind: KindHANode, Env: "prod", Cluster: "acme", Node: "app1"}},
		{"prod/ha/stray", Location{Kind: KindUnknown, Env: "prod"}},
	} {
		if got := Locate(tc.path); got != tc.want {
			t.Errorf("Locate(%q) = %+v, want %+v", tc.path, got, tc.want)
		}
	}
}
