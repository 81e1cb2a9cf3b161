# Eight nodes on 10.11: gossip port only, EnableGossipEncryption, "ordinal"
# layout. Ordinals are written out of order to prove the renderer sorts.
ha_cluster "big" {
  mattermost_version = "10.11.2"

  node "app3" {
    address    = "10.11.0.13"
    ordinal    = 3
    host_key   = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB7jrgZSUlI7+QKW74FQk9JvubQ+zidfZ3dxm/LsCNNL"
    tunnel_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIABN1C23UCQSVQ50Hz10Tt3lv7Z+jH0ftMUObfZlAVoP mattermost@app3"
  }
  node "app1" {
    address    = "10.11.0.11"
    ordinal    = 1
    host_key   = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPlZbUiYD1nxUGVLtwAljJbLTQDeSHAORVPLX9d6zhXi"
    tunnel_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIx9lLQoqE8OPS7bPc+djocezq+hnzskooBPiY//f1aP mattermost@app1"
  }
  node "app2" {
    address    = "10.11.0.12"
    ordinal    = 2
    host_key   = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB8aaaErP8uOVDHkt32YfZLssgrLvOlLA+audV0LvMT4"
    tunnel_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKbcGEgEbnTGi69kPuh/9Q8uJoD9vCYUe+ju21iurWXY mattermost@app2"
  }
  node "app4" {
    address    = "10.11.0.14"
    ordinal    = 4
    host_key   = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHeIyzrWqOpCNI/+3YRapNuDEfGiuUlJVRbC9qkLz1Re"
    tunnel_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIM0FZzMAMVYy6dEj+l5Er5+ZIfU6Tp3Bd+bRy6AJxoH9 mattermost@app4"
  }
  node "app5" {
    address    = "10.11.0.15"
    ordinal    = 5
    host_key   = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHW8LFW3kVYG3yZqNNdq+dvbVQEJOVmDGUfuehBmpkDV"
    tunnel_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJKy06j4pYXRfFumQmDku7Kv/98xWDJuZAa1MkpO21rG mattermost@app5"
  }
  node "app6" {
    address    = "10.11.0.16"
    ordinal    = 6
    host_key   = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK+5K7HmtH31CYukxLIKr6LhosTcUqTlYrQxb+G0EW6c"
    tunnel_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINBRFTjAYAYS3oKLUYXG/n/+1MLlnV4vAkk9BPNxMgQi mattermost@app6"
  }
  node "app8" {
    address    = "10.11.0.18"
    ordinal    = 8
    host_key   = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA/A5FtYm5uM44f1aRequ9kef8QWfLWIwXifKht41PNo"
    tunnel_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIM5xWExBFUC2P5PlO+6uY//hIe8bqTaU6l3blzSZNqvm mattermost@app8"
  }
  node "app7" {
    address    = "10.11.0.17"
    ordinal    = 7
    host_key   = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAcMZWnyVlsp48FrvM6j3ANWmiWn6g5CDBRdnsit/0YM"
    tunnel_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIC5EdUQSW0cmIghUYxnphobX2gMffUk3FG9UP8GStY6J mattermost@app7"
  }
}
