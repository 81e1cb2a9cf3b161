workload_cluster "Cluster_1" { # ERROR: Invalid workload cluster ID
  labels = { tier = "shared" }
}
