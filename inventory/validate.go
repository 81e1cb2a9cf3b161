package inventory

import (
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/mattermost/fleetgen/internal/suggest"
)

// validate checks every rule of docs/inventory.md on a decoded, defaulted
// inventory and returns all problems found, never only the first.
func validate(inv *Inventory) hcl.Diagnostics {
	var c checker
	for _, env := range inv.Environments {
		c.environment(env)
	}
	c.haClusterNames(inv)
	return c.diags
}

// checker collects the diagnostics of one validation run.
type checker struct {
	diags hcl.Diagnostics
}

func (c *checker) errorf(subject hcl.Range, summary, format string, args ...any) {
	c.add(hcl.DiagError, subject, summary, fmt.Sprintf(format, args...))
}

func (c *checker) warnf(subject hcl.Range, summary, format string, args ...any) {
	c.add(hcl.DiagWarning, subject, summary, fmt.Sprintf(format, args...))
}

func (c *checker) add(sev hcl.DiagnosticSeverity, subject hcl.Range, summary, detail string) {
	if !set(subject) {
		// Every rule passes a written range or its block's; a zero one
		// would print a diagnostic without a place, which is our bug.
		panic(fmt.Sprintf("inventory: diagnostic %q without a source range", summary))
	}
	c.diags = append(c.diags, &hcl.Diagnostic{Severity: sev, Summary: summary, Detail: detail, Subject: subject.Ptr()})
}

// credentialf reports a credential. Its diagnostic is marked so printers
// show no source line: the value may sit on that line, unmasked.
func (c *checker) credentialf(subject hcl.Range, format string, args ...any) {
	c.errorf(subject, "Credential in inventory", format, args...)
	c.diags[len(c.diags)-1].Extra = hiddenSource{}
}

// hiddenSource marks a diagnostic whose source line must not be printed.
type hiddenSource struct{}

// HidesSource reports whether d is about a value that must never be
// printed, so a printer must not quote its source line.
func HidesSource(d *hcl.Diagnostic) bool {
	_, ok := d.Extra.(hiddenSource)
	return ok
}

// at is the range a diagnostic about an attribute points at: the
// attribute's value when written, else fallback (the block or label whose
// default the value is).
func at(attr, fallback hcl.Range) hcl.Range {
	if set(attr) {
		return attr
	}
	return fallback
}

// A format is a rule a string value must match; Invalid + what is the
// summary of its diagnostic.
type format struct {
	what string
	rule string
	re   *regexp.Regexp
}

func newFormat(what, rule, re string) format {
	return format{what: what, rule: rule, re: regexp.MustCompile(re)}
}

// Formats of the inventory's values. Names that become folder and DNS names are DNS
// labels; the rest follow the rules of the system that receives them.
var (
	dnsLabelRule = "it must be a DNS label: 1 to 63 lower-case letters, digits and hyphens, starting and ending with a letter or digit"
	dnsLabelRe   = `^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`

	envName          = newFormat("environment name", dnsLabelRule, dnsLabelRe)
	workloadID       = newFormat("workload cluster ID", dnsLabelRule, dnsLabelRe)
	haClusterName    = newFormat("HA cluster name", dnsLabelRule, dnsLabelRe)
	nodeName         = newFormat("node name", dnsLabelRule, dnsLabelRe)
	appName          = newFormat("app name", dnsLabelRule, dnsLabelRe)
	appHost          = newFormat("app host", dnsLabelRule, dnsLabelRe)
	appNamespace     = newFormat("app namespace", "a Kubernetes namespace "+strings.TrimPrefix(dnsLabelRule, "it "), dnsLabelRe)
	argoCDNamespace  = newFormat("Argo CD namespace", "a Kubernetes namespace "+strings.TrimPrefix(dnsLabelRule, "it "), dnsLabelRe)
	argoCDProject    = newFormat("Argo CD project", dnsLabelRule, dnsLabelRe)
	accountID        = newFormat("AWS account ID", "an AWS account ID is exactly 12 digits", `^[0-9]{12}$`)
	awsRegion        = newFormat("AWS region", `it must be an AWS region code such as "us-east-1", "us-gov-west-1" or "ap-southeast-2" (not an availability zone)`, `^[a-z]{2,4}(-[a-z]+)?-(central|north|south|east|west|northeast|northwest|southeast|southwest)-[1-9][0-9]?$`)
	deploymentName   = newFormat("deployment name", "it names the EKS cluster and its AWS resources: 1 to 100 letters, digits, hyphens and underscores, starting with a letter or digit", `^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$`)
	lockTable        = newFormat("DynamoDB table name", "a DynamoDB table name is 3 to 255 letters, digits, underscores, hyphens and dots; remove lock_table to use none", `^[A-Za-z0-9_.-]{3,255}$`)
	roleARN          = newFormat("IAM role ARN", `it must be an IAM role ARN such as "arn:aws:iam::123456789012:role/fleet-deployer"; Terraform assumes this role, static keys are never used`, `^arn:aws(-[a-z]+)*:iam::[0-9]{12}:role/([!-~]*/)?[A-Za-z0-9+=,.@_-]{1,64}$`)
	planRoleARN      = newFormat("IAM role ARN", `it must be an IAM role ARN such as "arn:aws:iam::123456789012:role/fleet-plan"; a pull request's plan assumes this read-only role`, roleARN.re.String())
	moduleSource     = newFormat("module source", "it is the Terraform module address and must not be empty", `\S`)
	moduleRef        = newFormat("module version", "Terraform modules are always pinned: module_ref must name a tag or commit", `^\S+$`)
	vpcID            = newFormat("VPC ID", `a VPC ID is "vpc-" followed by 8 or 17 lower-case hexadecimal digits`, `^vpc-([0-9a-f]{8}|[0-9a-f]{17})$`)
	subnetID         = newFormat("subnet ID", `a subnet ID is "subnet-" followed by 8 or 17 lower-case hexadecimal digits`, `^subnet-([0-9a-f]{8}|[0-9a-f]{17})$`)
	zoneID           = newFormat("Route53 zone ID", `a Route53 hosted zone ID is "Z" followed by up to 31 upper-case letters and digits`, `^Z[A-Z0-9]{1,31}$`)
	kubernetesVer    = newFormat("Kubernetes version", `it must be an EKS Kubernetes version "1.<minor>", such as "1.30"`, `^1\.(0|[1-9][0-9]*)$`)
	instanceType     = newFormat("instance type", `it must be an EC2 instance type such as "t3.large"`, `^[a-z][a-z0-9-]*\.[a-z0-9]+$`)
	gitRevision      = newFormat("Git revision", "Argo CD needs a branch, tag or commit to follow", `^\S+$`)
	chartName        = newFormat("chart name", "it must name the Helm chart in its repository", `^[A-Za-z0-9][A-Za-z0-9._/-]*$`)
	releaseName      = newFormat("Helm release name", "a Helm release name is a DNS label of at most 53 characters: lower-case letters, digits and hyphens, starting and ending with a letter or digit", `^[a-z0-9]([a-z0-9-]{0,51}[a-z0-9])?$`)
	appVersion       = newFormat("app version", "charts are always pinned: version must name a chart version", `^\S+$`)
	clusterName      = newFormat("cluster name", "it is Mattermost's ClusterSettings.ClusterName and must not be empty or hold spaces", `^\S+$`)
	hubClusterID     = newFormat("hub cluster ID", "it is the clusterID label of the C&C cluster's own Prometheus; remove hub_cluster_id to use none", `^\S+$`)
	posixUser        = newFormat("user name", "it must be a POSIX user name: a lower-case letter or underscore, then up to 31 lower-case letters, digits, underscores and hyphens", `^[a-z_][a-z0-9_-]{0,31}$`)
	systemdUnit      = newFormat("systemd unit name", `it names the systemd unit without its ".service" suffix: letters, digits, ":", "_", "." and "-"`, `^[A-Za-z0-9:_.-]+$`)
	promLabelName    = newFormat("label name", "Prometheus label names are a letter or underscore followed by letters, digits and underscores", `^[a-zA-Z_][a-zA-Z0-9_]*$`)
	availabilityZone = regexp.MustCompile(`^(.*-[0-9]+)[a-z]$`)
	kubernetesPatch  = regexp.MustCompile(`^v?(1\.[0-9]+)\.[0-9]+$`)
)

// check reports value when it does not match f, on rng. It returns whether
// the value is valid, so callers can skip checks that would only repeat it.
func (c *checker) check(f format, value string, rng hcl.Range) bool {
	if f.re.MatchString(value) {
		return true
	}
	if value == "" {
		c.errorf(rng, "Invalid "+f.what, "The %s must not be empty: %s.", f.what, f.rule)
		return false
	}
	c.errorf(rng, "Invalid "+f.what, "The %s %q is not valid: %s.%s", f.what, value, f.rule, f.suggest(value))
	return false
}

// suggest returns a "Did you mean" for the obvious repair of value, if any.
func (f format) suggest(value string) string {
	fixed := strings.ToLower(strings.TrimSpace(value))
	if m := availabilityZone.FindStringSubmatch(fixed); m != nil && f.what == awsRegion.what {
		fixed = m[1]
	}
	if m := kubernetesPatch.FindStringSubmatch(fixed); m != nil && f.what == kubernetesVer.what {
		fixed = m[1] // EKS takes the minor version; it picks the patch
	}
	if fixed != value && f.re.MatchString(fixed) {
		return fmt.Sprintf(" Did you mean %q?", fixed)
	}
	return ""
}

// enum reports a value that is not one of allowed, suggesting the closest.
func (c *checker) enum(summary, attr, value string, rng hcl.Range, allowed ...string) bool {
	if slices.Contains(allowed, value) {
		return true
	}
	quoted := make([]string, len(allowed))
	for i, a := range allowed {
		quoted[i] = fmt.Sprintf("%q", a)
	}
	c.errorf(rng, summary, "The %s must be one of %s; %q is not.%s", attr, strings.Join(quoted, ", "), value, suggest.DidYouMean(value, allowed))
	return false
}

// firstSeen remembers where each name was first declared, for duplicate
// diagnostics that point at both places.
type firstSeen map[string]hcl.Range

// dup records name at rng and returns the earlier range when name was
// already seen.
func (s firstSeen) dup(name string, rng hcl.Range) (hcl.Range, bool) {
	if earlier, ok := s[name]; ok {
		return earlier, true
	}
	s[name] = rng
	return hcl.Range{}, false
}

func (c *checker) environment(env *Environment) {
	if env.HAOnly {
		// Named by its folder; it has nothing but its HA clusters.
		c.check(envName, env.Name, env.NameRange)
		c.haClusters(env)
		return
	}
	if c.check(envName, env.Name, env.NameRange) {
		if folder := filepath.Base(env.Dir); env.Name != folder {
			c.errorf(env.NameRange, "Environment name does not match its folder",
				"The environment block in %q is labelled %q; the label must equal the folder name %q, which names the environment.",
				env.Dir, env.Name, folder)
		}
	}
	c.check(accountID, env.AccountID, env.AccountIDRange)
	c.check(awsRegion, env.Region, env.RegionRange)
	c.check(deploymentName, env.DeploymentName, env.DeploymentNameRange)
	c.terraform(&env.Terraform)
	c.planRole(env)
	c.network(&env.Network)
	c.dns(&env.DNS)
	c.cluster(&env.Cluster)
	c.gitops(&env.GitOps)
	c.federation(env.Federation)
	c.alerting(env)
	c.apps(env)
	c.hydration(env)
	c.workloadClusters(env)
	c.haClusters(env)
	c.registration(env)
}
