ha_cluster "acme" {
  mattermost_version = "10.11.2"

  node "mm1" {
    address    = "203.0.113.10" # ERROR: Public node address
    host_key   = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJntg7BwTPWfmk/TAYRASa61fAnI9VjUNe18qJG+4B/m"
    tunnel_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIL9Ka1iQl/UuJygbRW9ixzjvGioYIhbwxFaL/AOXb0FL mattermost@mm1"
  }
  node "mm2" {
    address    = "10.0.0.2"
    host_key   = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIP2xNs0OD4gedvTlQAFqJvmmwi5+KDOzJAcJ4WOU9UOi"
    tunnel_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE0C1rTftOFL7VnmEfvYiIfftzreb2F5NsYNDqGD9Nu9 mattermost@mm2"
  }
}
