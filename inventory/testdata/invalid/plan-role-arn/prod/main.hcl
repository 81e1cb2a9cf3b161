environment "prod" {
  account_id = "123456789012"
  region     = "us-east-1"

  terraform {
    state_bucket  = "fleet-terraform-state-prod"
    role_arn      = "arn:aws:iam::123456789012:role/fleet-deployer"
    plan_role_arn = "arn:aws:iam::123456789012:fleet-plan" # ERROR: Invalid IAM role ARN
    module_ref    = "v1.6.0"
  }

  network {
    vpc_id             = "vpc-0123456789abcdef0"
    private_subnet_ids = ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"]
  }

  dns {
    private_zone_id = "Z0123456789ABCDEFGHIJ"
    private_domain  = "internal.prod.example.com"
  }

  cluster {
    kubernetes_version = "1.30"
    instance_type      = "t3.large"
    min_size           = 3
    desired_size       = 3
    max_size           = 6
  }

  gitops {
    repo_url = "https://github.com/example/fleet.git"
  }
}
