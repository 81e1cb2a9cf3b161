workload_cluster "c5ge4ktqubdnzp7rxw8gay1pqe" { # ERROR: Missing environment block
  labels = { tier = "shared" }
}
