ha_cluster "globex" {
  mattermost_version = "10.11.2"

  node "g1" {
    address    = "10.10.250.231" # ERROR: Duplicate node address
    host_key   = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJatnfBs7d8pTt9mq+e+ihIC7EhAFVipxvZftU4PvTTZ"
    tunnel_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB8A6eObhkc4cpQkFIood7vhW4xWrM1ryVSlFcmWaZb/ mattermost@g1"
  }
  node "g2" {
    address    = "10.10.251.2"
    host_key   = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPVGm6BuFPqzee9qbgOa8Bm/NFzBM3Gz1u1eqWW3++Y2"
    tunnel_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFSYI49hLXoWuuMjTk3sPqyt+3B0k9N8NcwOZ9nzYgk3 mattermost@g2"
  }
}
