// Package charttest builds Helm charts and serves them from a chart
// repository (and a minimal OCI registry) on loopback, for the tests of the
// chart cache, of hydration and of the command line. It never reaches any
// other address, and holds no production code.
package charttest
