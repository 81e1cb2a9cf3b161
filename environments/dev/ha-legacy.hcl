# The published hardening recipe's example cluster, still on 5.x: the
# gossip port 8074 and the streaming port 8075 are both tunnelled, with the
# recipe's port layout (peer i of a node gets i * 10000 + port).
ha_cluster "legacy" {
  mattermost_version = "5.31.9"
  tunnel_ports       = "doc"

  node "mm1" {
    address    = "10.10.250.146"
    host_key   = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEUl/8ZZMA/HAbGGv5j7soOqpz3D+7KWbus09k9Dl67L"
    tunnel_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOV0fl3OPAiDJsSl0/7kTncPDpiOqhrGnYtahEE+nteV mattermost@dev-mm1"
  }
  node "mm2" {
    address    = "10.10.250.231"
    host_key   = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDNRKl2N2ijTctvAz8WecyV6wPf2xo+BnaQTV2h6mfy9"
    tunnel_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMnUiffSawI26pri5PMLUCgu3snGNr12LzY1TzaBGo65 mattermost@dev-mm2"
  }
  node "mm3" {
    address    = "10.10.250.165"
    host_key   = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKulIXHlLFaW4GM116gHW8oI8Z+9LcZARsY8DOl+kyCd"
    tunnel_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIOtMuTTlURa4g1N6hW62WtwcwBtVAKLX0CpnKTbvfnp mattermost@dev-mm3"
  }
}
