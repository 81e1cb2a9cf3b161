ha_cluster "acme" {
  mattermost_version = "5.31.9"
  tunnel_ports       = "doc" # ERROR: Too many nodes for the doc layout

  node "mm1" {
    address    = "10.10.250.10"
    host_key   = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJntg7BwTPWfmk/TAYRASa61fAnI9VjUNe18qJG+4B/m"
    tunnel_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIL9Ka1iQl/UuJygbRW9ixzjvGioYIhbwxFaL/AOXb0FL mattermost@mm1"
  }
  node "mm2" {
    address    = "10.10.250.11"
    host_key   = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIP2xNs0OD4gedvTlQAFqJvmmwi5+KDOzJAcJ4WOU9UOi"
    tunnel_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE0C1rTftOFL7VnmEfvYiIfftzreb2F5NsYNDqGD9Nu9 mattermost@mm2"
  }
  node "mm3" {
    address    = "10.10.250.12"
    host_key   = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILiDPnNrQglDHhQBjLo3q1IoMBMbEA7TWEh9rh/qSzQF"
    tunnel_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJlCFGDGA+mJCqZWRp5a7N0+GMG0Dt1laOxTwNoh/+dL mattermost@mm3"
  }
  node "mm4" {
    address    = "10.10.250.13"
    host_key   = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIN7vAdjn437AAbWoMJPZEFjXy2sNSH2BxiZm5oA0vJxE"
    tunnel_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAxrjW2wWfx2KXpz49Qr3bhske35jqx54L2XtrSESeNS mattermost@mm4"
  }
  node "mm5" {
    address    = "10.10.250.14"
    host_key   = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJatnfBs7d8pTt9mq+e+ihIC7EhAFVipxvZftU4PvTTZ"
    tunnel_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB8A6eObhkc4cpQkFIood7vhW4xWrM1ryVSlFcmWaZb/ mattermost@mm5"
  }
  node "mm6" {
    address    = "10.10.250.15"
    host_key   = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPVGm6BuFPqzee9qbgOa8Bm/NFzBM3Gz1u1eqWW3++Y2"
    tunnel_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFSYI49hLXoWuuMjTk3sPqyt+3B0k9N8NcwOZ9nzYgk3 mattermost@mm6"
  }
  node "mm7" {
    address    = "10.10.250.16"
    host_key   = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGJo9yBPk++NreM9PSgP+3lCGMONBnCsn3YGykAauNBs"
    tunnel_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIGZET5Kk1KiKd+kzUN2/k0kqsjabTffFYNECeEMZUfE mattermost@mm7"
  }
}
