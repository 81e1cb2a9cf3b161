workload_cluster "c5ge4ktqubdnzp7rxw8gay1pqe" {
  prometheus_url = "ftp://c5ge4ktqubdnzp7rxw8gay1pqe.prometheus.internal.prod.example.com" # ERROR: Invalid Prometheus URL
}
