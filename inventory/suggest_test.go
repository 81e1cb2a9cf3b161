package inventory

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/mattermost/fleetgen/internal/suggest"
)

// alertingBlock is an alerting block for the full fixture, whose receiver
// names are given.
func alertingBlock(defaultReceiver, watchdog, route string) string {
	return `
  alerting {
    default_receiver  = "` + defaultReceiver + `"
    watchdog_receiver = "` + watchdog + `"
    receiver "cloud-ops" {
      mattermost {
        secret = "alertmanager-mattermost"
      }
    }
    route {
      receiver = "` + route + `"
      matchers = ["severity=critical"]
    }
  }

  provisioner {`
}

// TestDidYouMean mistypes, one case at a time, each value of a valid
// fixture that must be one of a known set or name something declared,
// and expects the diagnostic to name the value meant. A diagnostic of
// this kind added without a case here is caught, as far as its detail
// lists the valid values, by checkSuggestion, which reads the diagnostics
// of these cases and of the invalid fixtures.
func TestDidYouMean(t *testing.T) {
	const full, ha = "testdata/valid/full", "testdata/valid/ha-only"
	for _, tc := range []struct {
		name     string
		dir      string
		file     string // relative to dir; "" loads dir as it is
		old, new string // the first old in file becomes new
		only     []string
		summary  string
		want     string
	}{
		{"argument name (HCL)", full, "prod/main.hcl", "deployment_name =", "deployment_nme =", nil, "Unsupported argument", `Did you mean "deployment_name"?`},
		{"block type (HCL)", full, "prod/main.hcl", "federation {", "federaton {", nil, "Unsupported block type", `Did you mean "federation"?`},
		{"environment (--env)", full, "", "", "", []string{"prd"}, "Unknown environment", `Did you mean "prod"?`},
		{"api_access", full, "prod/main.hcl", `"public_and_private"`, `"public-and-private"`, nil, "Invalid API access", `Did you mean "public_and_private"?`},
		{"visibility", full, "prod/main.hcl", `visibility = "public"`, `visibility = "Public"`, nil, "Invalid visibility", `Did you mean "public"?`},
		{"tunnel_ports", full, "prod/main.hcl", `tunnel_ports       = "doc"`, `tunnel_ports       = "docs"`, nil, "Invalid tunnel port layout", `Did you mean "doc"?`},
		{"tunnel_supervision", full, "prod/main.hcl", `tunnel_supervision = "recipe"`, `tunnel_supervision = "recipes"`, nil, "Invalid tunnel supervision", `Did you mean "recipe"?`},
		{"node os", ha, "selfhosted/ha.hcl", `address    = "10.0.0.1"`, `address    = "10.0.0.1"` + "\n    os = \"ubuntu-2204\"", nil, "Unsupported operating system", `Did you mean "ubuntu-22.04"?`},
		{"default_receiver", full, "prod/main.hcl", "\n  provisioner {", alertingBlock("cloud-opps", "cloud-ops", "cloud-ops"), nil, "Unknown alert receiver", `Did you mean "cloud-ops"?`},
		{"watchdog_receiver", full, "prod/main.hcl", "\n  provisioner {", alertingBlock("cloud-ops", "Cloud-Ops", "cloud-ops"), nil, "Unknown alert receiver", `Did you mean "cloud-ops"?`},
		{"route receiver", full, "prod/main.hcl", "\n  provisioner {", alertingBlock("cloud-ops", "cloud-ops", "cloud-op"), nil, "Unknown alert receiver", `Did you mean "cloud-ops"?`},
		{"addon_versions", full, "prod/main.hcl", "volume_size_gb     = 100", `volume_size_gb = 100
    addon_versions = { aws-ebs-csi-drver = "v1.41.0-eksbuild.1", eks-pod-identity-agent = "v1.3.4-eksbuild.1" }`, nil, "Unknown EKS add-on", `Did you mean "aws-ebs-csi-driver"?`},
		{"known app name", full, "prod/main.hcl", `app "grafana" {`, `app "grafna" {`, nil, "Missing required argument", `Did you mean "grafana"?`},
		{"region (availability zone)", full, "prod/main.hcl", `region          = "us-east-1"`, `region          = "us-east-1b"`, nil, "Invalid AWS region", `Did you mean "us-east-1"?`},
		{"kubernetes_version (patch)", full, "prod/main.hcl", `"1.30"`, `"1.30.4"`, nil, "Invalid Kubernetes version", `Did you mean "1.30"?`},
		{"namespace (case)", full, "prod/main.hcl", `namespace  = "auth"`, `namespace  = "Auth"`, nil, "Invalid app namespace", `Did you mean "auth"?`},
		{"node name (case)", ha, "selfhosted/ha.hcl", `node "mm1"`, `node "MM1"`, nil, "Invalid node name", `Did you mean "mm1"?`},
		{"CIDR (host bits)", full, "prod/main.hcl", `"203.0.113.0/24"`, `"203.0.113.7/24"`, nil, "CIDR has host bits set", `Did you mean "203.0.113.0/24"?`},
		{"domain (trailing dot)", full, "prod/main.hcl", `"prod.cloud.example.com"`, `"prod.cloud.example.com."`, nil, "Invalid domain name", `Did you mean "prod.cloud.example.com"?`},
		{"service_name (suffix)", full, "prod/main.hcl", `install_dir        = "/opt/mattermost"`, `install_dir = "/opt/mattermost"
  service_name = "mattermost.service"`, nil, "Invalid systemd unit name", `Did you mean "mattermost"?`},
		{"install_dir (not clean)", full, "prod/main.hcl", `"/opt/mattermost"`, `"/opt//mattermost/"`, nil, "Invalid path", `Did you mean "/opt/mattermost"?`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			opts := LoadOptions{Only: tc.only}
			if tc.file != "" {
				path := filepath.Join(tc.dir, tc.file)
				src, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(string(src), tc.old) {
					t.Fatalf("%s has no %q to mistype", path, tc.old)
				}
				opts.Overlay = map[string][]byte{path: []byte(strings.Replace(string(src), tc.old, tc.new, 1))}
			}
			_, _, diags := LoadWith(tc.dir, opts)
			var details []string
			found := false
			for _, d := range diags {
				found = found || d.Summary == tc.summary && strings.HasSuffix(d.Detail, tc.want)
				details = append(details, d.Summary+": "+d.Detail)
				checkSuggestion(t, tc.name, d, map[int]int{})
			}
			if !found {
				t.Errorf("no %q diagnostic ends with %s; got:\n%s", tc.summary, tc.want, strings.Join(details, "\n"))
			}
		})
	}
}

// listedValues reads, from the detail of a diagnostic that refuses a value
// from a set it lists, the value refused and the set. Each entry is one
// way fleetgen words such a detail.
var listedValues = []struct {
	re    *regexp.Regexp // its groups: the value, then the list
	split string         // between the listed values
}{
	{regexp.MustCompile(`^The \S+ must be one of (?P<list>.+); "(?P<value>[^"]*)" is not\.`), ", "},
	{regexp.MustCompile(`^The os "(?P<value>[^"]*)" of node "[^"]*" is not one the rendered files support\..* Supported: (?P<list>.+?)\.( Did|$)`), ", "},
	{regexp.MustCompile(`^The addon_versions pin "(?P<value>[^"]*)", which fleetgen does not install; it installs (?P<list>.+?)\.( Did|$)`), " and "},
	{regexp.MustCompile(`^The custom app "(?P<value>[^"]*)" needs "[^"]*": only the known apps \((?P<list>.+)\) have defaults\.`), ", "},
}

// setWords are words of a detail that say a value is refused for not
// being one of a set: such a detail must be one listedValues reads, so a
// new diagnostic of that kind cannot leave the suggestion out unnoticed.
var setWords = regexp.MustCompile(`must be one of|Supported:|only the known apps|fleetgen does not install|names no`)

// notTypos are details that explain why the value is refused; a value
// close to a valid one is then not a typo, and the explanation replaces
// the suggestion (Ubuntu 18.04 is not a misspelt 20.04).
var notTypos = []string{"It ships OpenSSH older than 8.2"}

// TestSuggestionsInDiagnostics holds every diagnostic of the invalid
// fixtures that lists the valid values to the suggestion: when the value
// refused is close to one of them, the detail names it.
func TestSuggestionsInDiagnostics(t *testing.T) {
	read := map[int]int{} // listedValues entry -> diagnostics it read
	for _, dir := range caseDirs(t, "testdata/invalid") {
		_, _, diags := Load(dir)
		for _, d := range diags {
			checkSuggestion(t, filepath.Base(dir), d, read)
		}
	}
	for i, lv := range listedValues {
		if read[i] == 0 {
			t.Errorf("no fixture's diagnostic reads as %s: a fixture of that rule is missing, or its wording changed", lv.re)
		}
	}
}

func checkSuggestion(t *testing.T, fixture string, d *hcl.Diagnostic, read map[int]int) {
	t.Helper()
	// An edit of the receiver's names: "names no receiver block" lists
	// none; TestDidYouMean covers it.
	if strings.Contains(d.Detail, "names no receiver block") {
		return
	}
	for i, lv := range listedValues {
		m := lv.re.FindStringSubmatch(d.Detail)
		if m == nil {
			continue
		}
		read[i]++
		value := m[lv.re.SubexpIndex("value")]
		var set []string
		for _, s := range strings.Split(m[lv.re.SubexpIndex("list")], lv.split) {
			set = append(set, strings.Trim(s, `"`))
		}
		want := suggest.DidYouMean(value, set)
		switch {
		case slices.ContainsFunc(notTypos, func(s string) bool { return strings.Contains(d.Detail, s) }):
		case want != "" && !strings.Contains(d.Detail, want):
			t.Errorf("%s: %q is close to %q, but the detail does not suggest it: %s", fixture, value, set, d.Detail)
		case want == "" && strings.Contains(d.Detail, "Did you mean"):
			t.Errorf("%s: %q is close to none of %q, but the detail suggests: %s", fixture, value, set, d.Detail)
		}
		return
	}
	if setWords.MatchString(d.Detail) {
		t.Errorf("%s: %q refuses a value from a set, but no entry of listedValues reads it: add one, and the suggestion (suggest.DidYouMean) to the diagnostic: %s", fixture, d.Summary, d.Detail)
	}
}
