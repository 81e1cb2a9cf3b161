// Package cluster holds the names and labels that objects of several
// renderer families must agree on in the C&C cluster: an Application and
// the Terraform layer that creates its parent, a dashboard ConfigMap and
// the Grafana values whose sidecar loads it. It holds facts, no code.
package cluster

import "github.com/mattermost/fleetgen/inventory"

// InClusterServer is the API server of the cluster Argo CD runs in, as an
// Application's destination names it.
const InClusterServer = "https://kubernetes.default.svc"

// Argo CD Applications fleetgen makes itself, whose names no app may take
// (the inventory refuses them).
const (
	// RootApplication is created by Terraform layer 2 and syncs
	// out/<env>/argocd.
	RootApplication = inventory.RootApplication
	// K8sApplication syncs out/<env>/k8s.
	K8sApplication = inventory.K8sApplication
)

// Grafana's dashboard sidecar loads every ConfigMap of its namespace that
// carries this label with this value (the chart's sidecar.dashboards.label
// and labelValue).
const (
	DashboardLabel      = "grafana_dashboard"
	DashboardLabelValue = "1"
)

// ManagedBy labels what fleetgen renders for Kubernetes.
var ManagedBy = map[string]string{"app.kubernetes.io/managed-by": "fleetgen"}

// The registration service's shared secret: a Secret of this name and key
// in the service's namespace and in the provisioner's (Secrets do not
// cross namespaces), which the provisioner's Deployment reads into the
// environment variable its event subscription's --header-from-env names.
const (
	RegistrationSecret    = "fleetgen-registration"
	RegistrationSecretKey = "secret"
	RegistrationSecretEnv = "FLEETGEN_REGISTRATION_SECRET"
)
