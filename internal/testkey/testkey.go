// Package testkey makes SSH public keys for test inventories: a fresh
// ed25519 key in authorized_keys form, as the inventory's host_key and
// tunnel_key take it.
package testkey

import (
	"crypto/ed25519"
	"crypto/rand"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
)

// Public returns a new ed25519 public key, "ssh-ed25519 AAAA…", followed by
// " comment" when comment is not empty.
func Public(t testing.TB, comment string) string {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(key)))
	if comment != "" {
		s += " " + comment
	}
	return s
}
