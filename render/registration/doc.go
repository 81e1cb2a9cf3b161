// Package registration renders the Kubernetes objects of an environment's
// registration service (fleetgen serve, package registration at the
// repository's top) into out/<env>/k8s/registration/, a kustomization the
// fleetgen-k8s Application syncs: its Namespace, ServiceAccount,
// PersistentVolumeClaim (the event ledger), the ConfigMap of the git
// server's pinned host keys, Deployment, Service and NetworkPolicy.
//
// The two secrets (the shared secret the provisioner sends, the deploy key
// that may push only the registration branches) are a Secret created by
// hand in the cluster, never rendered: nothing secret goes to git.
package registration
