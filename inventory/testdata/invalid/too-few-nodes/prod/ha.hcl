ha_cluster "acme" { # ERROR: Too few nodes
  mattermost_version = "10.11.2"

  node "mm1" {
    address    = "10.10.250.146"
    host_key   = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJntg7BwTPWfmk/TAYRASa61fAnI9VjUNe18qJG+4B/m"
    tunnel_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIL9Ka1iQl/UuJygbRW9ixzjvGioYIhbwxFaL/AOXb0FL mattermost@mm1"
  }
}
