// Package inventory loads the fleet inventory (environments/<env>/*.hcl):
// it parses and decodes the HCL, applies the contract's defaults and
// validates every rule, reporting each problem as an HCL diagnostic with
// its source range.
//
// It knows nothing of rendering or of the command line: render reads the
// typed model this package returns, and cmd prints its diagnostics.
package inventory
