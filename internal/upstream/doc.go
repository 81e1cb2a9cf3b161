// Package upstream reads the offline upstream data set that the tests
// check rendered output against: ../shared/upstream/ from the repository
// root (its README.md says where each file comes from). It owns every
// reading of that folder: Helm repository indexes (and the generated
// *.versions.json where a repository has no index), chart metadata,
// default values and values.schema.json, and the CustomResourceDefinitions
// of Argo CD, ECK and F5 NGINX. It also validates documents against those
// schemas (JSON schema for chart values, a CRD's openAPIV3Schema for
// custom resources), offline: references to online documents are dropped.
//
// Only tests use it; the renderer never reads the data set. A chart,
// version or CRD the data set does not cover is an error of type
// *NotCoveredError, so a test can say so instead of passing silently.
package upstream
