// Package hydrate renders the charts of a hydrated environment into
// out/<env>/manifests/<app>/: each chart rendered client-only with Helm's
// engine from exactly the bytes of the app's values file, one file per
// Kubernetes object and a kustomization listing them, refused when the
// chart's output would change from one render to the next (guard.go).
//
// Render is a pure function of the validated inventory and what the caller
// hands it: the verified chart archives and the values files. It never
// reads or writes the disk or the network, and it imports no other
// renderer family: the values come from the helm family through the
// orchestrator, never by importing it. Every path comes from layout.
package hydrate
