package inventory

import (
	"fmt"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/hashicorp/hcl/v2"
	"github.com/prometheus/common/model"
)

func (c *checker) terraform(tf *Terraform) {
	if problem := s3BucketProblem(tf.StateBucket); problem != "" {
		c.errorf(tf.StateBucketRange, "Invalid S3 bucket name",
			"The state_bucket %q is not a valid S3 bucket name: %s.", tf.StateBucket, problem)
	}
	if set(tf.StateRegionRange) {
		c.check(awsRegion, tf.StateRegion, tf.StateRegionRange)
	}
	if set(tf.LockTableRange) && c.check(lockTable, tf.LockTable, tf.LockTableRange) {
		c.warnf(tf.LockTableRange, "Deprecated DynamoDB lock table",
			"Every layer locks its state with a lock file in the state bucket (use_lockfile); Terraform 1.11 deprecated DynamoDB locking. While lock_table is set the backends also name the table, so a run of the previous configuration and one of this one exclude each other; remove lock_table once no run of the previous configuration can start (docs/terraform.md).")
	}
	c.check(roleARN, tf.RoleARN, tf.RoleARNRange)
	c.check(moduleSource, tf.ModuleSource, at(tf.ModuleSourceRange, tf.DeclRange))
	c.check(moduleRef, tf.ModuleRef, tf.ModuleRefRange)
}

// planRole checks the read-only role a pull request's plan runs with. The
// pull request's own code runs with it, so it must not be the deployer,
// and it plans against this environment's account only.
func (c *checker) planRole(env *Environment) {
	tf := &env.Terraform
	if !set(tf.PlanRoleARNRange) || !c.check(planRoleARN, tf.PlanRoleARN, tf.PlanRoleARNRange) {
		return
	}
	if tf.PlanRoleARN == tf.RoleARN {
		c.errorf(tf.PlanRoleARNRange, "Plan role is the deployer role",
			"The plan_role_arn %q is the role_arn Terraform applies with. A pull request's code runs with the plan role, so it must be a separate, read-only role (docs/terraform.md, \"Plans in pull requests\").", tf.PlanRoleARN)
		return
	}
	account := strings.Split(tf.PlanRoleARN, ":")[4]
	if account != env.AccountID && accountID.re.MatchString(env.AccountID) {
		c.errorf(tf.PlanRoleARNRange, "Plan role in another account",
			"The plan_role_arn %q is a role of account %s; the environment is in account %s (account_id). The plan reads this environment's state and resources, so use a role of account %s.", tf.PlanRoleARN, account, env.AccountID, env.AccountID)
	}
}

// s3BucketProblem returns the S3 bucket naming rule name breaks, or "".
func s3BucketProblem(name string) string {
	switch {
	case len(name) < 3 || len(name) > 63:
		return "bucket names are 3 to 63 characters long"
	case strings.Trim(name, "abcdefghijklmnopqrstuvwxyz0123456789.-") != "":
		return "bucket names hold only lower-case letters, digits, dots and hyphens"
	case !isAlnum(name[0]) || !isAlnum(name[len(name)-1]):
		return "bucket names start and end with a letter or digit"
	case strings.Contains(name, ".."):
		return "bucket names have no two adjacent dots"
	}
	if _, err := netip.ParseAddr(name); err == nil {
		return "bucket names are not formatted as IP addresses"
	}
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(name, p) {
			return fmt.Sprintf("the prefix %q is reserved by AWS", p)
		}
	}
	for _, s := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(name, s) {
			return fmt.Sprintf("the suffix %q is reserved by AWS", s)
		}
	}
	return ""
}

func isAlnum(b byte) bool { return 'a' <= b && b <= 'z' || '0' <= b && b <= '9' }

func (c *checker) network(n *Network) {
	c.check(vpcID, n.VPCID, n.VPCIDRange)
	if len(n.PrivateSubnetIDs) < 2 {
		c.errorf(n.PrivateSubnetIDsRange, "Too few private subnets",
			"The C&C cluster needs private_subnet_ids in at least two availability zones; %d given.", len(n.PrivateSubnetIDs))
	}
	seen := firstSeen{}
	for _, list := range []struct {
		ids []string
		rng hcl.Range
	}{{n.PrivateSubnetIDs, n.PrivateSubnetIDsRange}, {n.PublicSubnetIDs, n.PublicSubnetIDsRange}} {
		for _, id := range list.ids {
			if !c.check(subnetID, id, list.rng) {
				continue
			}
			if earlier, dup := seen.dup(id, list.rng); dup {
				c.errorf(list.rng, "Duplicate subnet ID",
					"The subnet %q is listed more than once; it was already listed at %s. Each subnet is either private or public, and listed once.", id, earlier)
			}
		}
	}

	public := n.APIAccess == APIPublicAndPrivate
	if c.enum("Invalid API access", "api_access", n.APIAccess, n.APIAccessRange, APIPrivate, APIPublicAndPrivate) {
		switch {
		case public && len(n.APIAllowedCIDRs) == 0:
			c.errorf(at(n.APIAllowedCIDRsRange, n.APIAccessRange), "Missing API allowed CIDRs",
				"With api_access = %q the cluster's API endpoint is reachable from the internet, so api_allowed_cidrs must list the networks allowed to reach it.", APIPublicAndPrivate)
		case !public && len(n.APIAllowedCIDRs) > 0:
			c.warnf(n.APIAllowedCIDRsRange, "Ignored API allowed CIDRs",
				"The api_allowed_cidrs only apply with api_access = %q; with %q the API endpoint is private and they are ignored.", APIPublicAndPrivate, n.APIAccess)
		}
	}
	for _, s := range n.APIAllowedCIDRs {
		c.cidr(s, n.APIAllowedCIDRsRange)
	}
}

// cidr checks one entry of an allow list: a network, not an address with
// host bits, and never the whole internet.
func (c *checker) cidr(s string, rng hcl.Range) {
	p, err := netip.ParsePrefix(s)
	switch {
	case err != nil:
		c.errorf(rng, "Invalid CIDR", "The CIDR %q is not valid: it must be a network in CIDR notation, such as \"203.0.113.0/24\".", s)
	case p.Bits() == 0:
		c.errorf(rng, "CIDR allows every address",
			"The CIDR %q allows the whole internet to reach the cluster's API endpoint; list the networks that need it instead.", s)
	case p.Masked() != p:
		c.errorf(rng, "CIDR has host bits set",
			"The CIDR %q has bits set after its /%d prefix, so it does not name a network. Did you mean %q?", s, p.Bits(), p.Masked().String())
	}
}

func (c *checker) dns(d *DNS) {
	c.check(zoneID, d.PrivateZoneID, d.PrivateZoneIDRange)
	c.domain(d.PrivateDomain, d.PrivateDomainRange)
	zoneSet, domainSet := d.PublicZoneID != "", d.PublicDomain != ""
	switch {
	case zoneSet && !domainSet:
		c.errorf(d.PublicZoneIDRange, "Incomplete public zone", "The public_zone_id is set but public_domain is not; give both or neither.")
	case domainSet && !zoneSet:
		c.errorf(d.PublicDomainRange, "Incomplete public zone", "The public_domain is set but public_zone_id is not; give both or neither.")
	}
	if zoneSet {
		c.check(zoneID, d.PublicZoneID, d.PublicZoneIDRange)
	}
	if domainSet {
		c.domain(d.PublicDomain, d.PublicDomainRange)
	}
}

// domain checks a DNS name: dot-separated DNS labels, at most 253 characters.
func (c *checker) domain(name string, rng hcl.Range) {
	valid := name != "" && len(name) <= 253
	for label := range strings.SplitSeq(name, ".") {
		valid = valid && appHost.re.MatchString(label)
	}
	if !valid {
		suggestion := ""
		if fixed := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(name)), "."); fixed != name && fixed != "" {
			suggestion = fmt.Sprintf(" Did you mean %q?", fixed)
		}
		c.errorf(rng, "Invalid domain name",
			"The domain %q is not valid: it must be DNS labels (lower-case letters, digits and hyphens) separated by dots, without a trailing dot.%s", name, suggestion)
	}
}

func (c *checker) cluster(cl *Cluster) {
	c.check(kubernetesVer, cl.KubernetesVersion, cl.KubernetesVersionRange)
	c.check(instanceType, cl.InstanceType, cl.InstanceTypeRange)
	const rule = "The node group sizes must satisfy 1 <= min_size <= desired_size <= max_size"
	switch {
	case cl.MinSize < 1:
		c.errorf(cl.MinSizeRange, "Invalid node group size", "%s; min_size is %d.", rule, cl.MinSize)
	case cl.DesiredSize < cl.MinSize:
		c.errorf(cl.DesiredSizeRange, "Invalid node group size", "%s; desired_size %d is below min_size %d.", rule, cl.DesiredSize, cl.MinSize)
	case cl.MaxSize < cl.DesiredSize:
		c.errorf(cl.MaxSizeRange, "Invalid node group size", "%s; max_size %d is below desired_size %d.", rule, cl.MaxSize, cl.DesiredSize)
	}
	if cl.VolumeSizeGB < 1 {
		c.errorf(cl.VolumeSizeGBRange, "Invalid volume size", "The volume_size_gb must be at least 1; it is %d.", cl.VolumeSizeGB)
	}
	c.clusterPins(cl)
}

var scpGitURL = regexp.MustCompile(`^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^/\s]\S*$`)

func (c *checker) gitops(g *GitOps) {
	c.gitURL(g.RepoURL, g.RepoURLRange)
	c.check(gitRevision, g.Revision, g.RevisionRange)
	c.check(argoCDNamespace, g.ArgoCDNamespace, at(g.ArgoCDNamespaceRange, g.DeclRange))
	c.check(argoCDProject, g.Project, at(g.ProjectRange, g.DeclRange))
	c.argoCDCharts(g)
}

// gitURL checks repo_url: https://, ssh:// or the scp-like git@host:path,
// with no password or token in it.
func (c *checker) gitURL(s string, rng hcl.Range) {
	const rule = `it must be an https:// or ssh:// URL, or the SSH form "git@github.com:org/repo.git"`
	if !strings.Contains(s, "://") {
		if at := strings.Index(s, "@"); at > 0 && strings.Contains(s[:at], ":") {
			c.credentialURL("repo_url", rng)
		} else if !scpGitURL.MatchString(s) {
			c.errorf(rng, "Invalid Git repository URL", "The repo_url %q is not valid: %s.", s, rule)
		} else {
			c.gitURLChars(s, rng)
		}
		return
	}
	u, err := url.Parse(s)
	if err != nil {
		if strings.Contains(s, "@") {
			c.errorf(rng, "Invalid Git repository URL", "The repo_url is not a valid URL: %s.", rule)
		} else {
			c.errorf(rng, "Invalid Git repository URL", "The repo_url %q is not a valid URL: %s.", s, rule)
		}
		return
	}
	if u.User != nil {
		if _, hasPassword := u.User.Password(); hasPassword || u.Scheme != "ssh" {
			c.credentialURL("repo_url", rng)
			return
		}
	}
	if (u.Scheme != "https" && u.Scheme != "ssh") || u.Host == "" || strings.Trim(u.Path, "/") == "" {
		c.errorf(rng, "Invalid Git repository URL", "The repo_url %q is not valid: %s, naming a host and a repository path.", s, rule)
		return
	}
	c.gitURLChars(s, rng)
}

// gitURLChars refuses characters no Git hosting URL needs (quotes, spaces,
// shell and template syntax), which url.Parse lets through.
func (c *checker) gitURLChars(s string, rng hcl.Range) {
	bad := strings.IndexFunc(s, func(r rune) bool {
		return r > unicode.MaxASCII || !(unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("-._~:/@%+", r))
	})
	if bad >= 0 {
		c.errorf(rng, "Invalid Git repository URL",
			"The repo_url contains %q; a Git repository URL is made of letters, digits and the characters - . _ ~ : / @ %% +.", []rune(s[bad:])[0])
	}
}

// credentialURL reports user information in a URL without printing it.
func (c *checker) credentialURL(attr string, rng hcl.Range) {
	c.credentialf(rng,
		"The %s holds user information (a user name, password or token) before its host. The inventory holds no credentials: give the URL without them and provide access outside the inventory (an SSH deploy key or a Kubernetes Secret).", attr)
}

func (c *checker) federation(f *Federation) {
	interval, iok := c.duration("scrape_interval", f.ScrapeInterval, at(f.ScrapeIntervalRange, f.DeclRange))
	timeout, tok := c.duration("scrape_timeout", f.ScrapeTimeout, at(f.ScrapeTimeoutRange, f.DeclRange))
	if iok && tok && timeout > interval {
		c.errorf(at(f.ScrapeTimeoutRange, f.ScrapeIntervalRange), "Scrape timeout exceeds interval",
			"The scrape_timeout %q is longer than the scrape_interval %q; Prometheus requires scrape_timeout <= scrape_interval.", f.ScrapeTimeout, f.ScrapeInterval)
	}
	if len(f.Match) == 0 {
		c.errorf(f.MatchRange, "Empty federation match",
			"The central Prometheus federates the series selected by match; give at least one selector, such as %q, or remove match to use the default.", `{job="prometheus"}`)
	}
	for _, m := range f.Match {
		if !seriesSelector.MatchString(strings.TrimSpace(m)) {
			c.errorf(f.MatchRange, "Invalid federation match",
				"The match entry %q is not a series selector: it must be a metric name and/or label matchers in braces, such as %q.", m, `{job="prometheus"}`)
		}
	}
	if set(f.HubClusterIDRange) {
		c.check(hubClusterID, f.HubClusterID, f.HubClusterIDRange)
	}
}

// seriesSelector is the shape of a Prometheus series selector: a metric
// name, matchers in braces, or both. Prometheus itself parses the matchers.
var seriesSelector = regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})?|\{.*\S.*\})$`)

// duration parses a Prometheus duration attribute, which must be positive.
func (c *checker) duration(attr, s string, rng hcl.Range) (model.Duration, bool) {
	d, err := model.ParseDuration(s)
	if err != nil || d <= 0 {
		c.errorf(rng, "Invalid "+strings.ReplaceAll(attr, "_", " "),
			"The %s %q is not a positive Prometheus duration, such as \"15s\", \"1m\" or \"1h30m\".", attr, s)
		return 0, false
	}
	return d, true
}

// httpURL checks an http(s) or oci URL attribute: a scheme of schemes, a
// host, a port in range, no credentials, no query or fragment. It reports
// whether s passed.
func (c *checker) httpURL(summary, attr, s string, rng hcl.Range, schemes ...string) bool {
	u, err := url.Parse(s)
	if err == nil && u.User != nil {
		c.credentialURL(attr, rng)
		return false
	}
	if err != nil && strings.Contains(s, "@") {
		c.errorf(rng, summary, "The %s is not a valid URL.", attr)
		return false
	}
	problem := ""
	switch {
	case err != nil:
		problem = "it is not a URL"
	case !slices.Contains(schemes, u.Scheme):
		problem = "its scheme must be " + strings.Join(schemes, " or ")
	case u.Hostname() == "":
		problem = "it must name a host"
	case u.Port() != "" && !validPort(u.Port()):
		problem = "its port must be a number from 1 to 65535"
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		problem = "it must have no query or fragment"
	}
	if problem != "" {
		c.errorf(rng, summary, "The %s %q is not valid: %s.", attr, s, problem)
	}
	return problem == ""
}

func validPort(s string) bool {
	p, err := strconv.Atoi(s)
	return err == nil && 1 <= p && p <= 65535
}
