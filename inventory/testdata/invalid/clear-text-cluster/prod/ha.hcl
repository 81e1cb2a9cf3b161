ha_cluster "acme" {
  mattermost_version = "10.11.2"
  ssh_tunnels        = false # WARNING: Cluster traffic in clear text
  gossip_encryption  = false

  node "mm1" {
    address = "10.10.250.146"
  }
  node "mm2" {
    address = "10.10.250.231"
  }
}
