workload_cluster "c5ge4ktqubdnzp7rxw8gay1pqe" {
  labels = { __scheme__ = "https" } # ERROR: Reserved label name
}
