environment "staging" {
  account_id = "210987654321"
  region     = "us-gov-west-1"

  terraform {
    state_bucket = "fleet.terraform-state.staging"
    role_arn     = "arn:aws-us-gov:iam::210987654321:role/fleet-deployer"
    module_ref   = "4f0c1d2e"
  }

  network {
    vpc_id             = "vpc-0a1b2c3d"
    private_subnet_ids = ["subnet-0a1b2c3d", "subnet-1a2b3c4d"]
  }

  dns {
    private_zone_id = "Z2FDTNDATAQYW2"
    private_domain  = "internal.staging.example.com"
  }

  cluster {
    kubernetes_version = "1.31"
    instance_type      = "t3.large"
    min_size           = 1
    desired_size       = 2
    max_size           = 3
  }

  gitops {
    repo_url = "git@github.com:example/fleet.git"
  }

  app "prometheus" {
    version = "25.27.0"
  }

  app "grafana" {
    version = "8.5.1"
  }

  app "nginx-internal" {
    version = "4.11.3"
  }
}
