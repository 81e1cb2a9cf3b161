workload_cluster "c5ge4ktqubdnzp7rxw8gay1pqe" {
  prometheus_url = "http://admin:FAKEs3cretPassw0rd@c5ge4ktqubdnzp7rxw8gay1pqe.prometheus.internal.prod.example.com:80" # ERROR: Credential in inventory
}
