//go:build !linux

package outdir

// useFdScan: only Linux reads through descriptors (scan_linux.go); the
// tests that run both ways run the os.Root way twice elsewhere.
var useFdScan = false
