// Package argocd renders what Argo CD syncs of an environment besides the
// Helm values and the hydrated manifests: out/<env>/argocd/, one
// Application per delivered app and one for out/<env>/k8s, listed by the
// kustomization the root Application syncs; and out/<env>/k8s/, the plain
// Kubernetes objects fleetgen owns (Grafana's dashboards, in dashboards/).
//
// Render is a pure function of the validated inventory: it never reads or
// writes the disk, and it imports no other renderer family (helm,
// prometheus, hydrate, terraform, ha). The names it shares with them (the
// root Application, the dashboard label) come from internal/cluster, every
// path from layout.
package argocd
