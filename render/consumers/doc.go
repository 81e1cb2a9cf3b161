// Package consumers holds no code, only tests: they read the committed
// out/ of the example environments (which `fleetgen check` keeps equal to
// what the inventory renders) and check it against what its real
// consumers accept, from the upstream data set that internal/upstream
// reads (../shared/upstream/): every pinned chart exists at its version
// in its repository, every values file fits its chart's schema and
// default keys, every custom resource has its CRD installed by exactly one
// Application of its environment, and every Application fits the
// Application CRD of the Argo CD version the environment installs.
//
// A chart, version or CRD the data set does not cover fails the test that
// needs it, naming what is missing, never passes silently. A hydrated
// environment's Applications sync folders of out/, which the tests check
// exist and whose objects they check; the chart such a folder was
// rendered from comes from the chart cache (charts/, verified against its
// lock when rendering), not from a repository Argo CD pulls.
package consumers
