# The published recipe's example cluster: three nodes, Mattermost 5.x (gossip
# 8074 and streaming 8075 both tunnelled), the recipe's "doc" port layout and its
# unsupervised tunnels (ssh -f once in pre_start.sh).
ha_cluster "recipe" {
  mattermost_version = "5.31.9"
  tunnel_ports       = "doc"
  tunnel_supervision = "recipe"

  node "mm1" {
    address    = "10.10.250.146"
    host_key   = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAID9ax7rCGo1DLibbdzXx25ePQfFEKZxQCc9B1DUsArAF"
    tunnel_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFEoCDrFncqT03fJ5qQb1oonkSlYYQfYGFogo1vQFYH6 mattermost@mm1"
  }
  node "mm2" {
    address    = "10.10.250.231"
    host_key   = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMK533k6vBaz2Pn+ZwG9/iKyKIWVbD7MA+5QCLJsF6x3"
    tunnel_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGGDxjS2fs6YJRbSCOUzvm5y8j4NtKWjhKFsXd89Fmf3 mattermost@mm2"
  }
  node "mm3" {
    address    = "10.10.250.165"
    host_key   = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEdlvYBLbDJe0DfYBgpSuvxqN2Bbf7fonZNvDRZhR5Gb"
    tunnel_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHWwrqTYqnOQQ6bHwpAlj3L32C0/wLRnuMCdZc8wzIrO mattermost@mm3"
  }
}
