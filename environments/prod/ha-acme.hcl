# A current eight-node HA cluster: gossip port only (no streaming port
# since 6.0), tunnels plus gossip encryption, the "ordinal" port layout
# (the local port of a peer is 18000 + 10 * its ordinal on every node).
ha_cluster "acme" {
  mattermost_version = "10.11.4"

  node "app1" {
    address    = "10.20.0.11"
    host_key   = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAII4/pqKIW869J7NWKGDD1Aa+O9+IV/ZakgKaYtfBKzo2"
    tunnel_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBxffqXlySUGjs1HDVuWDpRBVu6+mQIBqCUWw2pR8AHO mattermost@prod-app1"
  }
  node "app2" {
    address    = "10.20.0.12"
    host_key   = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIELEw41gAzGfcxWxVRGl/f3gke/B3cx2/r6DoHZ1l4o9"
    tunnel_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIN9CRmEC2/hidV4SbNbw+XT2Z6NRuayuvo8czvenqTmE mattermost@prod-app2"
  }
  node "app3" {
    address    = "10.20.0.13"
    host_key   = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJAjKCWm6vzNVEewTVQyi/lvRs5WAFzcGPL17PV3vF72"
    tunnel_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKD1P0FF0qVzTsAq0mVmlUhKpdDpmrDoi20T2pBKD2A5 mattermost@prod-app3"
  }
  node "app4" {
    address    = "10.20.0.14"
    host_key   = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPQM2JhSocgQdDReGFbONVxgSgYWIcwu5SdRy+HQkZEE"
    tunnel_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAsgfzBoQ/Xh1vlw41eM4PW5OxyAABNMDMwyQjn1YwsU mattermost@prod-app4"
  }
  node "app5" {
    address    = "10.20.0.15"
    host_key   = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAEyt41oCq3/g5aiU7z+K3Wzr0MsjGdOl/Z5Klnu1mIM"
    tunnel_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJR1Q3Kay083oRpSdBIfVTisCuU3LArJblD5cgE4ZEl2 mattermost@prod-app5"
  }
  node "app6" {
    address    = "10.20.0.16"
    host_key   = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMAXkmIOdqP+gXlDEhfMb2bCFXU5sVHHgB9n7riAqMUq"
    tunnel_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIGqW8lCyGwieds1iQs70J0dcXGYAOQqaA559ROmVHC3 mattermost@prod-app6"
  }
  node "app7" {
    address    = "10.20.0.17"
    host_key   = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHw2+orrpt6nnPlBfFMsKYjo60nxxX60l1pdUmWeuaU8"
    tunnel_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJkdyYloPu6xxbza+wi5vHc+v/W/GKTwqv1hSz5sCIJl mattermost@prod-app7"
  }
  node "app8" {
    address    = "10.20.0.18"
    host_key   = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILfGc05tbAQcRiDqcjqHNGBBKed2OgaxjsnF8iF+tGSK"
    tunnel_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJY4aY3h/uWbcHsQBKUb9tfAJJwe4NAgarKYOCk8XZvd mattermost@prod-app8"
  }
}
