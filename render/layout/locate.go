package layout

import (
	"slices"
	"strings"
)

// The layout of out/, read back: which part of an environment a rendered
// file belongs to, and so what applies it once it changes.

// A Kind is what applies a file of out/.
type Kind int

const (
	// KindNone is fleetgen's own bookkeeping (the manifest, the journal,
	// the lock should a repository commit it) and prose (an environment's
	// or a cluster's README): nothing applies it.
	KindNone Kind = iota
	// KindTerraform is a file of one Terraform layer (Location.Layer).
	KindTerraform
	// KindArgoCD is a file Argo CD syncs from git: Applications, Helm
	// values, plain and hydrated manifests, the Prometheus configuration.
	KindArgoCD
	// KindHANode is a file of one HA node's folder (Location.Cluster,
	// Location.Node), installed by its apply.sh.
	KindHANode
	// KindHACluster is a file of an HA cluster outside its nodes' folders
	// (README.md, known_hosts): read by operators and CI, not installed.
	KindHACluster
	// KindUnknown is a path this version of fleetgen does not render.
	KindUnknown
)

var kindNames = [...]string{"none", "terraform", "argocd", "ha-node", "ha-cluster", "unknown"}

func (k Kind) String() string { return kindNames[k] }

// ArgoCDFolders are the folders of an environment whose files Argo CD
// syncs (or that the Applications it syncs read, or the provisioner reads
// from git: utilities/), so a change under any of them reaches the
// cluster without a CI step.
var ArgoCDFolders = []string{argoCDDir, helmDir, k8sDir, manifestsDir, prometheusDir, provisionerDir, utilitiesDir}

// A Location is where a file of out/ sits in the layout.
type Location struct {
	Kind    Kind
	Env     string // "" for files of out/ itself
	Layer   string // KindTerraform
	Cluster string // KindHANode, KindHACluster
	Node    string // KindHANode
}

// Locate classifies p, a slash-separated path relative to out/.
func Locate(p string) Location {
	parts := strings.Split(p, "/")
	if len(parts) == 1 {
		if p == ManifestName || p == JournalName || p == LockName {
			return Location{Kind: KindNone}
		}
		return Location{Kind: KindUnknown} // a file of out/ itself fleetgen does not write
	}
	loc := Location{Kind: KindUnknown, Env: parts[0]}
	switch top := parts[1]; {
	case len(parts) == 2 && top == readmeName:
		loc.Kind = KindNone
	case len(parts) == 2:
		// a file directly under <env>/ other than its README
	case top == terraformDir:
		if len(parts) >= 4 && slices.Contains(Layers, parts[2]) {
			loc.Kind, loc.Layer = KindTerraform, parts[2]
		}
	case slices.Contains(ArgoCDFolders, top):
		loc.Kind = KindArgoCD
	case top == haDir && len(parts) == 4:
		loc.Kind, loc.Cluster = KindHACluster, parts[2]
	case top == haDir && len(parts) >= 5:
		loc.Kind, loc.Cluster, loc.Node = KindHANode, parts[2], parts[3]
	}
	return loc
}
