// Package render turns a validated inventory into the files of out/: one
// pure renderer per output kind (ha.go, prometheus.go, helm.go, terraform.go,
// …) returning []File, plus the writer and the drift check, the only code
// that touches out/.
//
// It trusts the inventory package for validation and defaults, and leaves
// flags and printing to cmd.
package render
