workload_cluster "c5ge4ktqubdnzp7rxw8gay1pqe" {
  labels = { "tier-1" = "shared" } # ERROR: Invalid label name
}
