// Package terraform renders the Terraform root modules of an environment,
// one per layer of layout.Layers, applied in that order: 1-cluster (the
// EKS cluster, its IAM roles, nodes and storage driver),
// 2-cluster-post-installation (the apps' namespaces, the default storage
// class, Argo CD and the root Application that syncs layout.ArgoCD) and
// 3-route53-registration (a DNS record per app with a host).
//
// Render is a pure function of a validated environment: every file is
// built with hclwrite from typed values (never from text templates), so an
// inventory value cannot become an expression, and every file is parsed
// again before it is returned. It reports no diagnostics of its own:
// validation (package inventory) refuses every mistake it could meet, and
// an inventory it cannot render anyway, or a file that does not parse, is
// a bug of fleetgen and panics.
//
// Where its files go is render/layout's; the names it shares with the
// Argo CD Applications (the root Application, the in-cluster server, the
// managed-by label) are render/internal/cluster's. It imports no other
// renderer family and never touches the disk.
package terraform
