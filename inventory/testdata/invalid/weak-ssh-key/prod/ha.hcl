ha_cluster "acme" {
  mattermost_version = "10.11.2"

  node "mm1" {
    address    = "10.0.0.1"
    host_key   = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJntg7BwTPWfmk/TAYRASa61fAnI9VjUNe18qJG+4B/m"
    tunnel_key = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC6vzlwtQ55YTOQd+u/L1nKLq7mHbtxLxxsgz3q0ORtSiGgtMdcJSRmCq6OaJVSn+t3HqvpIb5JOrOnCgq66fTF98xhXn2K/A1HHrEPLDLgA4iQB8TTAk5H+nCxFAGhTlfabWXJSeVHQfsuWTfH5V8JBsDovYqbTwOG5aZGrhJOt8/atlkCI78uIkH4DDow66dXM+MM1e/aGN5eiAF1YbT/LSxdEy52+1b0AjWIF7UZMMquCZKY04UR0dFtFtlwVKdSze4WaHNSma9bLbxfKk0y1T7I2Zp5ihdKIZ+ujRtOz2mUERlmA9tumCy70iphg/Nvmy8GpsfemnB/iovhCvPl mattermost@mm1" # ERROR: Invalid SSH tunnel key
  }
  node "mm2" {
    address    = "10.0.0.2"
    host_key   = "ssh-dss AAAAB3NzaC1kc3MAAACBANOpvbkuQlIw41iq/1A9nwFL0OZol8tLMa5cw7j1oB+15eVjb2UuWZW3CnwgwkzGRuAV+6sCUctcoPhuP71zKpPp6UzrMMLjPV8VJQLcnvnM6zZ/uhJCYa2kVwpNUO+2uQ1Wf3wBYTvhhVphr1+ieWjfJwWpxyut2cvDbjzuqpzpAAAAFQDPc90wqHmdOB0ksM+1jgWfWOTxUQAAAIA3CSCmAF5q3Eacyape9YS+3CfyZ9iAxESxqmyy008wPSAhIjGhZs1rHxgfTYD+mHl6Uibb+hoqS/wimre4Hug6PkY2XRjUhe+S0QOAjmRgZcDVL9yc4phv0Q+uHsWOHsxm0Chzb5wV6zMKga9zowekl8Q2HULSxRJMoEwtSG9s8QAAAIEAvCYk6OXdXFEDS+o0ERZVLHAw6RW8ycdwO9vgU0WKDYU9Puv0hPPIV3CtIlJvJUcZyHWo/6gEAEWArPii3ydY4TN9Cx1FtcKOLH/sP4Rqx3rBSR2heH3nFoWGv7P8f3Ved7kUDA/o9vI49D8VDCdSPOM/d98HNwKxlf9rrpVkwb0=" # ERROR: Invalid SSH host key
    tunnel_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE0C1rTftOFL7VnmEfvYiIfftzreb2F5NsYNDqGD9Nu9 mattermost@mm2"
  }
}
