// Package bench holds make bench: bench.sh times the fleetgen program on
// synthetic fleets beside cp -a and diff -r of the same tree and prints a
// Markdown table (docs/performance.md). The package has no Go code; its
// test runs the script on small fleets so the script cannot rot.
package bench
