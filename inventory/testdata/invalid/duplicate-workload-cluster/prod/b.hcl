workload_cluster "c5ge4ktqubdnzp7rxw8gay1pqe" { # ERROR: Duplicate workload cluster
  labels = { tier = "shared" }
}
