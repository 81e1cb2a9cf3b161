package inventory

import (
	"net/url"
	"strings"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

var (
	imageDigest    = newFormat("image", `it must be pinned by digest, as "registry/name:tag@sha256:<64 hex digits>", so every node runs the reviewed image`, `^[a-z0-9][a-z0-9./_:-]*(:[A-Za-z0-9._-]+)?@sha256:[0-9a-f]{64}$`)
	storageSize    = newFormat("storage size", `it must be a Kubernetes quantity in binary units, such as "1Gi" or "512Mi"`, `^[1-9][0-9]{0,5}(Mi|Gi|Ti)$`)
	storageClass   = newFormat("storage class", dnsLabelRule, `^$|`+dnsLabelRe)
	provisionerEnv = newFormat("provisioner environment", "it must be the environment name the provisioner puts in its events: letters, digits, '.', '_' and '-'", `^[A-Za-z0-9._-]{1,63}$`)
)

func (c *checker) registration(env *Environment) {
	r := env.Registration
	if r == nil {
		return
	}
	c.check(imageDigest, r.Image, r.ImageRange)
	c.check(appNamespace, r.Namespace, at(r.NamespaceRange, r.DeclRange))
	c.check(appNamespace, r.ProvisionerNamespace, at(r.ProvisionerNamespaceRange, r.DeclRange))
	c.check(provisionerEnv, r.ProvisionerEnvironment, at(r.ProvisionerEnvironmentRange, r.DeclRange))
	c.check(storageSize, r.StorageSize, at(r.StorageSizeRange, r.DeclRange))
	c.check(storageClass, r.StorageClass, r.StorageClassRange)
	host, ok := c.pushURL(r)
	if !ok {
		return
	}
	if len(r.KnownHosts) == 0 {
		c.errorf(r.KnownHostsRange, "Push host not pinned",
			"known_hosts is empty: give the SSH host keys of %s (ssh-keyscan %s, checked against the provider's published fingerprints), so the service never trusts a key on first use.", host, host)
		return
	}
	pinned := false
	for i, line := range r.KnownHosts {
		_, hosts, _, _, _, err := ssh.ParseKnownHosts([]byte(line))
		if err != nil || strings.Contains(strings.TrimSpace(line), "\n") {
			c.errorf(r.KnownHostsRange, "Invalid known_hosts line",
				"known_hosts[%d] is not one known_hosts line (\"host key-type base64-key\"): %v.", i, err)
			continue
		}
		for _, h := range hosts {
			if h == knownhosts.Normalize(host) {
				pinned = true
			}
		}
	}
	if !pinned {
		c.errorf(r.KnownHostsRange, "Push host not pinned",
			"No line of known_hosts names %s, the host of push_url; the service would refuse to push (hashed host names are not accepted: the list is public and reviewed).", knownhosts.Normalize(host))
	}
}

// pushURL checks push_url, which must be SSH: the service's key is a
// deploy key limited to its branch namespace, and an https URL would need
// a token. It returns the host and port ssh connects to.
func (c *checker) pushURL(r *Registration) (string, bool) {
	s := r.PushURL
	const rule = `it must be an SSH URL, "git@github.com:org/fleet.git" or "ssh://git@host:port/org/fleet.git"`
	if m := scpGitURL.FindString(s); m != "" && !strings.Contains(s, "://") {
		c.gitURLChars(s, r.PushURLRange)
		host := s[strings.Index(s, "@")+1 : strings.Index(s, ":")]
		return host, true
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "ssh" || u.Host == "" || u.User == nil {
		c.errorf(r.PushURLRange, "Invalid push URL", "The push_url %q is not valid: %s.", s, rule)
		return "", false
	}
	if _, hasPassword := u.User.Password(); hasPassword {
		c.credentialURL("push_url", r.PushURLRange)
		return "", false
	}
	return u.Host, true
}
