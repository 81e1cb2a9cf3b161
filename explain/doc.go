// Package explain says in words what a change of the rendered tree (out/)
// means: per environment, statements such as "+ 2 federation targets",
// "HA acme: node app9 added → 9 nodes' firewall and tunnels change" or
// "HA acme: gossip encryption turned on → needs a full cluster stop",
// ordered by importance, for the reviewer of a pull request.
//
// It works on rendered files, not on inventories: what fleetgen renders is
// the truth of what will change. Explain is a pure function from the
// changed files (old and new bytes) to a Report; it parses the structured
// files it knows (prometheus.yml, the alerting rules, Argo CD Applications,
// Helm values, Terraform, the HA cluster's cluster.json, known_hosts and
// ClusterSettings) and lists every other changed file in a fallback
// statement, so nothing is left out and nothing is claimed that was not
// parsed. FromDisk and FromGit gather the changes between rendered files
// and out/ on disk or out/ at a git commit (reading only the files that
// differ); the CLI renders and prints. docs/explain.md documents the
// statements and the JSON report.
package explain
