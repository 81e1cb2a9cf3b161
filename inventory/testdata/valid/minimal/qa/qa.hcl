environment "qa" {
  account_id = "222222222222"
  region     = "ap-southeast-2"

  terraform {
    state_bucket = "fleet-state-qa"
    role_arn     = "arn:aws:iam::222222222222:role/fleet-deployer"
    module_ref   = "v1.6.0"
  }

  network {
    vpc_id             = "vpc-0123456789abcdef0"
    private_subnet_ids = ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"]
  }

  dns {
    private_zone_id = "Z0123456789ABCDEFGHIJ"
    private_domain  = "qa.example.com"
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
}
