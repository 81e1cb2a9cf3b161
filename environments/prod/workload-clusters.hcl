# Workload clusters of prod, one block per cluster the provisioner made.

workload_cluster "a1b2c3d4e5f6g7h8i9j0k1l2m3" {
  labels = { tier = "shared" }
}

workload_cluster "b7kq2m9x4w8r1t6y3u5i0o2p4a" {
  labels = { tier = "shared" }
}

workload_cluster "h3n8c1v6b9m2x5z7l4k0j8g6f1" {
  labels = { tier = "dedicated", customer = "globex" }
}

workload_cluster "p9o8i7u6y5t4r3e2w1q0a9s8d7" {
  prometheus_url = "https://p9o8i7u6y5t4r3e2w1q0a9s8d7.prometheus.internal.prod.cloud.example.com:443"
  labels         = { tier = "dedicated", customer = "initech" }
}
