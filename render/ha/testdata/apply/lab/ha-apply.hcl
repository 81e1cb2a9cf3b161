# For the apply.sh test: owners that exist on any Debian machine ("daemon"
# and "bin" come with base-passwd), so apply.sh runs for real under --root.
ha_cluster "apply" {
  mattermost_version = "9.11.0"
  tunnel_user        = "daemon"
  tunnel_user_home   = "/home/daemon"
  service_user       = "bin"
  install_dir        = "/opt/mm"

  node "a1" {
    address    = "10.14.0.1"
    host_key   = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGfqarSf90r93xSPE/Qa+1qI5XqqVkIffgfge2CLIWT/"
    tunnel_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIHDaT4Mc+rN2VabwfLg/OOY1BMkK/dsjzesDlCulwCK daemon@a1"
  }
  node "a2" {
    address    = "10.14.0.2"
    host_key   = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIO1fE4/mlLntvX0x5ioveMCG/6c+/FImqPfasdoI5Rck"
    tunnel_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICWnTqEPl6bBE8MJD7lXLrFaBtZwgfRLJrpQ3SdOj29D daemon@a2"
  }
}
