# Workload clusters of dev, one block per cluster the provisioner made.
# Each becomes a federation target of the central Prometheus.

workload_cluster "c5ge4ktqubdnzp7rxw8gay1pqe" {
  labels = { tier = "shared" }
}

workload_cluster "k9d8w3hxjfbrxq1m5n7tyz2c4a" {
  labels = { tier = "dedicated", customer = "acme" }
}

workload_cluster "zq3mfs8a4hbtkwe1x9c6r5gu7y" {
  # Being drained by the provisioner: listed, not scraped.
  federate = false
}
