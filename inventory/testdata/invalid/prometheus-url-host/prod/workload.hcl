workload_cluster "c5ge4ktqubdnzp7rxw8gay1pqe" {
  prometheus_url = "http:///federate" # ERROR: Invalid Prometheus URL
}
