// Package affected compares the rendered trees (out/) of two commits and
// says what must be applied: per environment, the Terraform layers whose
// files changed, whether the Argo CD side changed, and the HA nodes whose
// files changed, plus the environments added and what was removed (which
// is reported, never destroyed).
//
// It reads git alone, through the git program (no network, no
// credentials), and leaves the layout of out/ to layout.Locate and the
// flags and printing to cmd. docs/affected.md documents the JSON report,
// which is shaped for GitHub Actions matrices.
package affected
