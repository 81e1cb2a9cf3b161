workload_cluster "c5ge4ktqubdnzp7rxw8gay1pqe" {
  prometheus_url = "http://c5ge4ktqubdnzp7rxw8gay1pqe.prometheus.internal.prod.example.com:99999" # ERROR: Invalid Prometheus URL
}
