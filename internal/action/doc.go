// Package action is the work behind each fleetgen command, between the
// command line (cmd/cli, which binds flags and prints) and the packages
// that do it: load and validate the inventory, render it in memory, build
// its kustomizations, then write out/, compare it, explain it or list what
// a commit range affects. Each command is a small struct with a Run, as
// the tests call it too.
//
// Two ways of doing less sit here too: the render cache (cache.go, over
// package rendercache), which takes an unchanged environment from what a
// run before rendered once out/ is found to hold it, and the scope of a
// check since a git commit (scope.go), which renders only the
// environments changed since.
//
// It prints nothing: diagnostics go to Config.Report, results are returned.
package action
