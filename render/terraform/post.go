package terraform

import (
	"slices"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/mattermost/fleetgen/inventory"
	"github.com/mattermost/fleetgen/render/internal/cluster"
	"github.com/mattermost/fleetgen/render/layout"
)

// postInstallLayer is 2-cluster-post-installation: the namespaces of the
// enabled apps, Argo CD, and the root Application that makes Argo CD sync
// out/<env>/argocd, from which every app is delivered. The root Application
// is a release of the argocd-apps chart rather than a kubernetes_manifest:
// kubernetes_manifest needs the Application CRD at plan time, which does not
// exist before Argo CD is installed by the same apply.
func postInstallLayer(env *inventory.Environment) []*tfFile {
	tfBlock := newTFFile("terraform.tf")
	terraformBlock(tfBlock, env, layout.LayerPost, providerAWS, providerHelm, providerKubernetes)

	prov := newTFFile("providers.tf")
	awsProvider(prov, env, layout.LayerPost)
	remoteCluster(prov, env)
	eksDataSources(prov)
	kubernetesProvider(prov)
	helmProvider(prov)

	main := newTFFile("main.tf")
	ns := main.block("resource", "kubernetes_namespace_v1", "this")
	ns.raw("for_each", call("toset", lit(strs(namespaces(env)))))
	md := ns.block("metadata")
	md.ref("name", ref("each", "value"))
	md.val("labels", strMap(cluster.ManagedBy))

	defaultStorageClass(main)

	argoNS := namespaceName(env.GitOps.ArgoCDNamespace)
	argo := main.block("resource", "helm_release", "argocd")
	argo.str("name", "argocd")
	argo.str("repository", inventory.ArgoCDHelmRepository)
	argo.str("chart", inventory.ArgoCDChart)
	argo.str("version", env.GitOps.ArgoCDChartVersion)
	argo.ref("namespace", argoNS)
	argo.boolean("wait", true)

	root := main.block("resource", "helm_release", "root_application")
	root.str("name", "argocd-root")
	root.str("repository", inventory.ArgoCDHelmRepository)
	root.str("chart", inventory.ArgoCDAppsChart)
	root.str("version", env.GitOps.ArgoCDAppsChartVersion)
	root.ref("namespace", argoNS)
	root.raw("values", list(call("yamlencode", lit(rootApplicationValues(env)))))
	root.dependsOn(ref("helm_release", "argocd"))

	out := newTFFile("outputs.tf")
	output(out, "argocd_namespace", "namespace of Argo CD", expr(argoNS))
	output(out, "namespaces", "namespaces made for the enabled apps",
		call("sort", call("keys", expr(ref("kubernetes_namespace_v1", "this")))))
	return []*tfFile{tfBlock, prov, main, out}
}

// namespaces are the namespaces layer 2 makes: Argo CD's and those of the
// enabled apps, each once, sorted.
func namespaces(env *inventory.Environment) []string {
	ns := []string{env.GitOps.ArgoCDNamespace}
	for _, a := range env.Apps {
		if a.Enabled {
			ns = append(ns, a.Namespace)
		}
	}
	slices.Sort(ns)
	return slices.Compact(ns)
}

// namespaceName is kubernetes_namespace_v1.this["<ns>"].metadata[0].name:
// referring to the resource makes Helm wait for the namespace.
func namespaceName(ns string) hcl.Traversal {
	t := index(ref("kubernetes_namespace_v1", "this"), cty.StringVal(ns))
	return attr(index(attr(t, "metadata"), cty.NumberIntVal(0)), "name")
}

// resourcesFinalizer is Argo CD's cascading-deletion finalizer.
const resourcesFinalizer = "resources-finalizer.argocd.argoproj.io"

// rootApplicationValues are the argocd-apps chart values (2.x: applications
// is a map by name) for the root Application: it syncs the folder of env's
// Applications, as the repository holds it. Its resources finalizer makes
// deleting it delete what it synced (the child Applications) instead of
// leaving them running unmanaged; Argo CD must still run to act on it,
// which the release's depends_on on Argo CD gives on destroy.
func rootApplicationValues(env *inventory.Environment) cty.Value {
	g := env.GitOps
	app := cty.ObjectVal(map[string]cty.Value{
		"namespace":  cty.StringVal(g.ArgoCDNamespace),
		"project":    cty.StringVal(g.Project),
		"finalizers": cty.TupleVal([]cty.Value{cty.StringVal(resourcesFinalizer)}),
		"source": cty.ObjectVal(map[string]cty.Value{
			"repoURL":        cty.StringVal(g.RepoURL),
			"targetRevision": cty.StringVal(g.Revision),
			"path":           cty.StringVal(layout.Committed(layout.ArgoCD(env.Name))),
		}),
		"destination": cty.ObjectVal(map[string]cty.Value{
			"server":    cty.StringVal(cluster.InClusterServer),
			"namespace": cty.StringVal(g.ArgoCDNamespace),
		}),
		"syncPolicy": cty.ObjectVal(map[string]cty.Value{
			"automated": cty.ObjectVal(map[string]cty.Value{
				"prune":    cty.True,
				"selfHeal": cty.True,
			}),
		}),
	})
	return cty.ObjectVal(map[string]cty.Value{
		"applications": cty.ObjectVal(map[string]cty.Value{cluster.RootApplication: app}),
	})
}
