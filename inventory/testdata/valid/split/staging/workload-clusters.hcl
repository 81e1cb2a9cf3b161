# One file for every workload cluster the provisioner made in staging.
workload_cluster "a1b2c3d4e5f6g7h8i9j0k1l2m3" {}

workload_cluster "z9y8x7w6v5u4t3s2r1q0p9o8n7" {
  labels = { tier = "dedicated", customer = "globex" }
}
