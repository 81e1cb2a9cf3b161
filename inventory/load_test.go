package inventory

import (
	"bufio"
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
)

// Fixtures: testdata/valid/<case>/ and testdata/invalid/<case>/ are each an
// inventory folder (<case>/<env>/*.hcl) given to Load.
//
// Valid cases must load with no diagnostic at all. In invalid cases every
// expected diagnostic is marked in the .hcl files with a comment holding
// "ERROR: <Summary>" or "WARNING: <Summary>" (several may share a line):
//
//   - a marker after code on a line expects the diagnostic on that line;
//   - a line holding only marker comments expects it on the next line that
//     is not such a line (for places a trailing comment cannot go).
//
// Diagnostics without a source line (a folder, a file as a whole) are
// listed in <case>/diagnostics.txt as "<path relative to the case>:0:
// SEVERITY: Summary". The test compares the multiset of "file:line:
// SEVERITY: Summary" found with the one expected, so a missing diagnostic
// and an extra one both fail.

var marker = regexp.MustCompile(`(ERROR|WARNING): ([^#]+)`)

func TestValidFixtures(t *testing.T) {
	for _, dir := range caseDirs(t, "testdata/valid") {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			inv, _, diags := Load(dir)
			if len(diags) > 0 {
				t.Fatalf("want no diagnostics, got:\n%s", strings.Join(diagnosticKeys(dir, diags, true), "\n"))
			}
			if inv == nil || len(inv.Environments) == 0 {
				t.Fatal("Load returned no inventory")
			}
		})
	}
}

// detailWant lists text some diagnostic's detail must hold in a case:
// suggestions, earlier declarations, the names an error must give.
var detailWant = map[string][]string{
	"unknown-attribute":                    {`Did you mean "deployment_name"?`},
	"region":                               {`Did you mean "us-east-1"?`},
	"api-access":                           {`Did you mean "public_and_private"?`},
	"visibility":                           {`Did you mean "public"?`},
	"tunnel-ports":                         {`Did you mean "ordinal"?`},
	"tunnel-supervision":                   {`Did you mean "systemd"?`},
	"cidr-host-bits":                       {`Did you mean "203.0.113.0/24"?`},
	"service-name":                         {`Did you mean "mattermost"?`},
	"tunnel-user-home":                     {`Did you mean "/etc"?`},
	"tunnel-user-home-root":                {`tunnel_user_home is "/", the root folder`},
	"install-dir-root":                     {`install_dir is "/", the root folder`},
	"service-name-dots":                    {`The service_name ".." is not valid`, `must not be "." or ".."`},
	"environment-label-not-folder":         {`"production"`, `folder name "prod"`},
	"duplicate-environment-block":          {"a.hcl:1,1-19"},
	"duplicate-workload-cluster":           {"a.hcl:1,18-46"},
	"duplicate-ha-cluster":                 {"a.hcl:1,12-18"},
	"duplicate-app":                        {"main.hcl:33,7-16"},
	"duplicate-node-name":                  {"ha.hcl:4,8-13"},
	"duplicate-node-address":               {"ha.hcl:5,18-33"},
	"duplicate-node-ordinal":               {"ha.hcl:6,18-19"},
	"duplicate-subnet":                     {`"subnet-0aaaaaaaaaaaaaaa1"`},
	"node-address-in-two-clusters":         {`node "mm2" of HA cluster "acme" at`, "acme.hcl:10,18-33"},
	"node-address-ipv6":                    {"IPv6 node addresses are not supported yet"},
	"doc-layout-too-many-nodes":            {`Use tunnel_ports = "ordinal"`},
	"tunnel-port-conflict":                 {`HA cluster "acme", node "mm1"`, `peer "mm2"`, "port 8065"},
	"secret-private-key":                   {`"host_key"`, "private key"},
	"secret-aws-access-key-id":             {`"access_key"`, "AWS access key ID"},
	"secret-aws-secret-access-key":         {`"aws_secret_access_key"`},
	"secret-app-values-password":           {"values.adminPassword", "existingSecret"},
	"secret-app-values-nested-token":       {"values.env.github_api_token"},
	"secret-app-values-secret-outside-tls": {"values.webhook.secret"},
	"custom-app-missing-namespace":         {`"namespace"`},
}

// secrets are the credentials planted in the secret-* cases; no diagnostic
// may print them. Those caught in the raw text are also masked in Files;
// those found by validation in app values are not (see the report).
var secrets = map[string]struct {
	text   string
	masked bool
}{
	"secret-private-key":                      {"b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ", true},
	"secret-private-key-unterminated":         {"MIIEowIBAAKCAQEAFAKE", true},
	"secret-aws-access-key-id":                {"AKIAIOSFODNN7FAKE123", true},
	"secret-aws-access-key-id-in-comment":     {"ASIAFAKEFAKEFAKE1234", true},
	"secret-aws-secret-access-key":            {"wJalrXUtnFEMI/K7MDENG/bPxRfiCYFAKEFAKEKEY", true},
	"secret-aws-secret-access-key-in-comment": {"FAKEwJalrXUtnFEMIK7MDENGbPxRfiCYKEY", true},
	"secret-repo-url-token":                   {"ghp_FAKEfake0123456789abcdefFAKEfake01", true},
	"secret-repo-url-user-token":              {"ghp_FAKEfake0123456789abcdefFAKEfake02", true},
	"secret-prometheus-url-password":          {"FAKEs3cretPassw0rd", true},
	"secret-app-values-password":              {"hunter2-FAKE", false},
	"secret-app-values-nested-token":          {"FAKE-token-value-0001", false},
}

func TestInvalidFixtures(t *testing.T) {
	dirs := caseDirs(t, "testdata/invalid")
	for _, dir := range dirs {
		name := filepath.Base(dir)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			want := expectedDiagnostics(t, dir)
			if len(want) == 0 {
				t.Fatal("the case marks no diagnostic")
			}
			inv, files, diags := Load(dir)
			if diff := cmp.Diff(want, diagnosticKeys(dir, diags, false)); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s\nall diagnostics:\n%s", diff, strings.Join(diagnosticKeys(dir, diags, true), "\n"))
			}
			if (inv == nil) != diags.HasErrors() {
				t.Errorf("Load returned inventory %v with errors %v: want an inventory exactly when there is no error", inv != nil, diags.HasErrors())
			}
			for _, d := range diags {
				if d.Subject == nil || d.Subject.Filename == "" {
					t.Errorf("diagnostic %q has no source range", d.Summary)
				}
				if strings.HasSuffix(d.Summary, ".") || d.Detail == "" {
					t.Errorf("diagnostic %q: want a summary without a full stop and a detail", d.Summary)
				}
			}
			details := ""
			for _, d := range diags {
				details += d.Detail + "\n"
			}
			for _, s := range detailWant[name] {
				if !strings.Contains(details, s) {
					t.Errorf("no diagnostic detail contains %q; details:\n%s", s, details)
				}
			}
			if s, ok := secrets[name]; ok {
				checkSecretHidden(t, dir, s.text, s.masked, diags, files)
			}
		})
	}
	for name := range detailWant {
		if !slices.Contains(dirs, filepath.Join("testdata/invalid", name)) {
			t.Errorf("detailWant names a missing case %q", name)
		}
	}
	for name := range secrets {
		if !slices.Contains(dirs, filepath.Join("testdata/invalid", name)) {
			t.Errorf("secrets names a missing case %q", name)
		}
	}
}

// checkSecretHidden makes sure the planted secret is in the fixture, and in
// no diagnostic and (when masked) in no file Load returns for printing.
func checkSecretHidden(t *testing.T, dir, secret string, masked bool, diags hcl.Diagnostics, files Files) {
	t.Helper()
	found := false
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(path)
			found = found || bytes.Contains(b, []byte(secret))
		}
		return nil
	})
	if !found {
		t.Fatalf("the fixture does not contain the secret %q", secret)
	}
	for _, d := range diags {
		if strings.Contains(d.Summary+d.Detail, secret) {
			t.Errorf("diagnostic %q prints the secret: %s", d.Summary, d.Detail)
		}
	}
	if !masked {
		return
	}
	for path, f := range files {
		if bytes.Contains(f.Bytes, []byte(secret)) {
			t.Errorf("Files[%q] still holds the secret", path)
		}
	}
}

// caseDirs lists the case folders of root.
func caseDirs(t *testing.T, root string) []string {
	t.Helper()
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for _, e := range entries {
		if e.IsDir() {
			dirs = append(dirs, filepath.Join(root, e.Name()))
		}
	}
	return dirs
}

// expectedDiagnostics reads the markers of a case, sorted.
func expectedDiagnostics(t *testing.T, dir string) []string {
	t.Helper()
	var want []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel := filepath.ToSlash(must(filepath.Rel(dir, path)))
		switch {
		case rel == "diagnostics.txt":
			for _, line := range readLines(t, path) {
				if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
					want = append(want, line)
				}
			}
		case strings.HasSuffix(path, ".hcl"):
			var pending []string // markers of marker-only lines, for the next line
			for i, line := range readLines(t, path) {
				var here []string
				for _, m := range marker.FindAllStringSubmatch(line, -1) {
					here = append(here, fmt.Sprintf("%s:%%d: %s: %s", rel, m[1], strings.TrimSpace(m[2])))
				}
				if len(here) > 0 && strings.Trim(line[:marker.FindStringIndex(line)[0]], "# \t") == "" {
					pending = append(pending, here...)
					continue
				}
				for _, w := range append(pending, here...) {
					want = append(want, fmt.Sprintf(w, i+1))
				}
				pending = nil
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(want)
	return want
}

// diagnosticKeys renders diagnostics as "file:line: SEVERITY: Summary",
// sorted, with the detail too when verbose.
func diagnosticKeys(dir string, diags hcl.Diagnostics, verbose bool) []string {
	var keys []string
	for _, d := range diags {
		file, line := "-", 0
		if d.Subject != nil {
			file = filepath.ToSlash(must(filepath.Rel(dir, d.Subject.Filename)))
			line = d.Subject.Start.Line
		}
		sev := "ERROR"
		if d.Severity == hcl.DiagWarning {
			sev = "WARNING"
		}
		key := fmt.Sprintf("%s:%d: %s: %s", file, line, sev, d.Summary)
		if verbose {
			key += "\n\t" + d.Detail
		}
		keys = append(keys, key)
	}
	slices.Sort(keys)
	return keys
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	s := bufio.NewScanner(f)
	for s.Scan() {
		lines = append(lines, s.Text())
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
