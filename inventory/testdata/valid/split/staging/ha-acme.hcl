# Eight nodes on 10.11: the "ordinal" layout (the default), gossip encrypted
# by default, and SSH tunnels for TCP.
ha_cluster "acme" {
  mattermost_version = "10.11.2"
  tunnel_ports       = "ordinal"
  tunnel_port_base   = 18000
  tunnel_user        = "mmtunnel"
  tunnel_user_home   = "/var/lib/mmtunnel"
  service_user       = "mattermost"
  service_name       = "mattermost"
  install_dir        = "/opt/mattermost"
  gossip_compression = true

  node "app1" {
    address    = "10.20.0.11"
    host_key   = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIN7vAdjn437AAbWoMJPZEFjXy2sNSH2BxiZm5oA0vJxE root@app1"
    tunnel_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAxrjW2wWfx2KXpz49Qr3bhske35jqx54L2XtrSESeNS mmtunnel@app1"
  }
  node "app2" {
    address    = "10.20.0.12"
    host_key   = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJatnfBs7d8pTt9mq+e+ihIC7EhAFVipxvZftU4PvTTZ root@app2"
    tunnel_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB8A6eObhkc4cpQkFIood7vhW4xWrM1ryVSlFcmWaZb/ mmtunnel@app2"
  }
  node "app3" {
    address    = "10.20.0.13"
    host_key   = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPVGm6BuFPqzee9qbgOa8Bm/NFzBM3Gz1u1eqWW3++Y2 root@app3"
    tunnel_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFSYI49hLXoWuuMjTk3sPqyt+3B0k9N8NcwOZ9nzYgk3 mmtunnel@app3"
  }
  node "app4" {
    address    = "10.20.0.14"
    host_key   = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGJo9yBPk++NreM9PSgP+3lCGMONBnCsn3YGykAauNBs root@app4"
    tunnel_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIGZET5Kk1KiKd+kzUN2/k0kqsjabTffFYNECeEMZUfE mmtunnel@app4"
  }
  node "app5" {
    address    = "10.20.0.15"
    host_key   = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKxNWRBlEmB4G9mP50FMJQqms0pSu14UGvn3st/paZDd root@app5"
    tunnel_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEPmlYPp8RxC8/7YdjL401T35IsHtQxHQQyk7svGhAGS mmtunnel@app5"
  }
  node "app6" {
    address    = "10.20.0.16"
    host_key   = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIH/fNoFLiyohn/mx4vTJ0ZDjAQd2ySp2RPg80d0tRHDg root@app6"
    tunnel_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGRxoJPy8WLaMVl3qgsNdWDfDUJPP/9WPgGkSzAzc6nC mmtunnel@app6"
  }
  node "app7" {
    address    = "10.20.0.17"
    host_key   = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK4cgSAInC6rIRKsBzVSnX/upr9mzkEMBGI1jRnruN1w root@app7"
    tunnel_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIL9eOsfOwfonVBvc7pwA+9sf2CNXVBACt5sqS2P1MaOM mmtunnel@app7"
  }
  node "app8" {
    address    = "10.20.0.18"
    host_key   = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILB1Jm0vG2QHnW3J3Tla09kUYh5+gNT5ZAM/7ZBS8oW/ root@app8"
    tunnel_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHOHI+ZYXTgZAMGKbm6UzOniFME++IUq51YWxGBWuNJC mmtunnel@app8"
  }
}
