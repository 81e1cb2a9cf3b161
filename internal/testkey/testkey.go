// Package testkey makes SSH public keys for test inventories: a fresh
// ed25519 key in authorized_keys form, as the inventory's host_key and
// tunnel_key take it.
package testkey

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
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

// Named returns the ed25519 public key derived from name,
// "ssh-ed25519 AAAA…": the same for the same name on every run, so a
// test fixture made of keys stays byte for byte the same.
func Named(name string) string {
	seed := sha256.Sum256([]byte(name))
	key, err := ssh.NewPublicKey(ed25519.NewKeyFromSeed(seed[:]).Public())
	if err != nil {
		panic(err) // an ed25519 key always converts
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(key)))
}
