// Package e2e holds the end-to-end tests that run what fleetgen renders on
// the real programs that consume it, on test hosts made of Linux network
// and mount namespaces: sshd, ssh, ufw, iptables and conntrack, and a real
// gossip cluster of hashicorp/memberlist agents (Mattermost's clustering is
// built on memberlist). It has no code of its own; the tests need root and
// fail instead of skipping when CI sets FLEETGEN_REQUIRE_TOOLS=1.
package e2e
