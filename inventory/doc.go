// Package inventory loads the fleet inventory (environments/<env>/*.hcl):
// it parses and decodes the HCL, applies the defaults docs/inventory.md lists and
// validates every rule, reporting each problem as an HCL diagnostic with
// its source range. LoadWith also reads an overlay of edited files that
// are not on disk (the edit commands validate their result so), and
// reports each Placeholder value left by a scaffold as not filled in.
//
// It knows nothing of rendering or of the command line: render reads the
// typed model this package returns, and cmd prints its diagnostics.
package inventory
