workload_cluster "c5ge4ktqubdnzp7rxw8gay1pqe" {
  labels = { tier = "shared" }
}
