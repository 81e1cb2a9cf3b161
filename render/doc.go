// Package render turns a validated inventory into the files of out/: one
// pure renderer per output kind (ha.go, prometheus.go, helm.go, terraform.go,
// …) returning []File, plus the writer and the drift check, the only code
// that touches out/, and Locate (layout.go), the layout of out/ read back,
// which `fleetgen affected` classifies a git diff with.
//
// Hydrated environments (hydrate.go) get their charts as verified archives
// from the caller through RenderWith: rendering never reads the chart cache
// or the network (internal/charts owns both).
//
// It trusts the inventory package for validation and defaults, and leaves
// flags and printing to cmd. What validation guarantees, the renderers
// assume: meeting an inventory it should have refused is a bug of ours, so
// they panic. The one user mistake only rendering finds, inventory values
// that do not fit the shape of the generated ones, comes back as a
// diagnostic at its line (fleetgen validate renders in memory for it).
package render
