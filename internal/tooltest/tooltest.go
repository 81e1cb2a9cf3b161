// Package tooltest lets tests that check rendered files with their real
// consumers (promtool, iptables-restore, sshd, terraform, …) find those
// programs. CI runs with FLEETGEN_REQUIRE_TOOLS=1, so a missing tool or
// missing root fails there instead of skipping silently.
package tooltest

import (
	"os"
	"os/exec"
	"testing"
)

// Required reports whether missing tools fail the test instead of skipping it.
func Required() bool { return os.Getenv("FLEETGEN_REQUIRE_TOOLS") == "1" }

// Look returns the path of the first tool and checks that the others exist.
func Look(t testing.TB, names ...string) string {
	t.Helper()
	var first string
	for i, name := range names {
		p, err := exec.LookPath(name)
		if err != nil {
			Missing(t, "%s is not installed", name)
		}
		if i == 0 {
			first = p
		}
	}
	return first
}

// NeedRoot is for tests that make namespaces or chown files.
func NeedRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		Missing(t, "the test needs root")
	}
}

// Missing skips the test, or fails it when tools are required.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	if Required() {
		t.Fatalf(format+" (FLEETGEN_REQUIRE_TOOLS=1)", args...)
	}
	t.Skipf(format, args...)
}

// TerraformFormatter is terraform, or OpenTofu's tofu (whose fmt formats
// exactly like terraform fmt; CI builds it from the Go module proxy), the
// first one on PATH.
func TerraformFormatter(t testing.TB) string {
	t.Helper()
	for _, name := range []string{"terraform", "tofu"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	Missing(t, "neither terraform nor tofu is installed: terraform fmt -check did not run")
	return ""
}
