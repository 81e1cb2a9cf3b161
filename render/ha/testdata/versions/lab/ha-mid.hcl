# A 7.x cluster (6.0 to 10.10): EnableExperimentalGossipEncryption, no
# streaming port, ssh on a non-standard port, a separate tunnel account.
ha_cluster "mid" {
  mattermost_version = "7.8.15"
  ssh_port           = 2222
  tunnel_user        = "mmtunnel"
  gossip_compression = true

  node "mid1" {
    address    = "10.12.0.1"
    host_key   = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHzymwOPmIzuLWmx/cYhHOJaCIdlmY29I9cqqFasGhHu"
    tunnel_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPlxnwiutCwLpj1putpJRGaFHwrD2jU8ym+lVJ8KGkIL mmtunnel@mid1"
  }
  node "mid2" {
    address    = "10.12.0.2"
    host_key   = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB7A1ARzdkJ27naoQrEsBC/uy5VQPq8+ZzZOzcmtGznG"
    tunnel_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAPlv5rlmVqqwwcPV27+y8UaKY0XN1hnYpCd5pc1x5Bw mmtunnel@mid2"
  }
}
