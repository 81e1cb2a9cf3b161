environment "dev" {
  account_id = "111111111111"
  region     = "eu-west-1"

  terraform {
    state_bucket = "fleet-state-dev"
    role_arn     = "arn:aws:iam::111111111111:role/fleet-deployer"
    module_ref   = "v1.6.0"
  }

  network {
    vpc_id             = "vpc-0123456789abcdef0"
    private_subnet_ids = ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"]
  }

  dns {
    private_zone_id = "Z0123456789ABCDEFGHIJ"
    private_domain  = "dev.example.com"
  }

  cluster {
    kubernetes_version = "1.30"
    instance_type      = "t3.medium"
    min_size           = 1
    desired_size       = 1
    max_size           = 1
  }

  gitops {
    repo_url = "ssh://git@github.com/example/fleet.git"
  }

  # Disabled apps skip the public checks: no public zone is needed.
  app "kibana" {
    version    = "8.5.1"
    visibility = "public"
    enabled    = false
  }
}
