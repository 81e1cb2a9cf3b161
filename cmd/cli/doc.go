// Package cli is fleetgen's command line: cobra wiring from flags into
// option structs, calls into inventory and render, and printing. The work
// itself lives in those packages, where tests call it directly.
package cli
