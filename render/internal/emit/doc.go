// Package emit writes the YAML documents several renderer families share:
// any value as YAML behind the generated-file header, and kustomize's
// Kustomization. It knows nothing of what the documents mean.
package emit
