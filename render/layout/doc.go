// Package layout owns where every file lives in out/: each path a renderer
// writes is made by one function here, and Locate reads a path back into
// the part of an environment it belongs to (what applies it). render,
// check, affected and explain ask it instead of building or parsing paths.
//
// It also defines File, the unit every renderer returns. It imports no
// package of fleetgen, so any package may import it; it never reads the
// disk.
package layout
