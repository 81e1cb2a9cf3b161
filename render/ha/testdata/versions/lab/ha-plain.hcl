# No SSH tunnels: ufw allows the cluster ports directly.
ha_cluster "plain" {
  mattermost_version = "5.37.0"
  ssh_tunnels        = false

  node "p1" {
    address = "10.13.0.1"
  }
  node "p2" {
    address = "10.13.0.2"
  }
  node "p3" {
    address = "10.13.0.3"
  }
}
