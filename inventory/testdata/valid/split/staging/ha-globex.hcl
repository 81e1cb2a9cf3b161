# Another HA cluster in its own file, so two PRs rarely touch the same file.
ha_cluster "globex" {
  mattermost_version = "v9.11.5"
  cluster_name       = "globex-production"
  ssh_port           = 2222

  node "g3" {
    address    = "10.30.0.3"
    ordinal    = 3
    host_key   = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIIiH9EDXBlco0IJpr9I/elOPjBdZXGa6YXuD38QPy6k root@g3"
    tunnel_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINFkvrNV7SnT0vPRI7b1463stykEy5sG/1S9QJWgzVfd mattermost@g3"
  }
  node "g1" {
    address    = "10.30.0.1"
    ordinal    = 1
    host_key   = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIImPcsm9MhjwX+JtqBdzFMbRfzmf/Y4Cjct0jCQkHOr+ root@g1"
    tunnel_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINlS2DV9A1uTOnRkmjXhpSQw4yqkuoIAc8xAhoPjnsUu mattermost@g1"
  }
  node "g2" {
    address    = "10.30.0.2"
    ordinal    = 2
    host_key   = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBsTHOvgJX4mUsJtaJMQthQth15PEwOw5psQ07h1n1td root@g2"
    tunnel_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIPPkC2AaFzTL4blE6qTI8tDmufORDH9qtacMCpFUx3g mattermost@g2"
  }
}
