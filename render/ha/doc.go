// Package ha renders the files of one HA cluster of an environment
// (Render): the operators' README, the cluster's known_hosts, and per
// node a folder laid out as the node's disk (ufw's after.rules, the SSH
// tunnels' scripts, units, keys and sshd drop-in, the ClusterSettings
// patch) with the apply.sh that installs it. It also owns reading its
// known_hosts back (ReadKnownHosts), so its format has one writer and one
// reader, side by side.
//
// Render is a pure function of a validated environment: every rule the
// rendered files rely on (DNS-label names, clean absolute paths, systemd
// unit names, IPv4 addresses, keys on one line) is checked by package
// inventory, once, with the inventory's source range; the renderer checks
// none of them again, and an inventory it cannot render anyway is a bug
// of fleetgen and panics.
//
// Where its files go is render/layout's. It imports no other renderer
// family, and nothing heavy (no Helm, no Kubernetes libraries), so the
// commands that only read known_hosts stay small; it never touches the
// disk.
package ha
