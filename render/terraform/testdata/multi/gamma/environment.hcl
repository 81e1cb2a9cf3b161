# gamma has no app with a host: its DNS layer registers nothing. It lives in
# another account with its own bucket.
environment "gamma" {
  account_id = "210987654321"
  region     = "us-west-2"

  terraform {
    state_bucket = "gamma-fleet-state"
    role_arn     = "arn:aws:iam::210987654321:role/fleet-deployer"
    module_ref   = "v1.6.0"
  }

  network {
    vpc_id             = "vpc-0aaaabbbbccccdddd"
    private_subnet_ids = ["subnet-0ddddddddddddddd1", "subnet-0ddddddddddddddd2"]
  }

  dns {
    private_zone_id = "Z0GAMMA56789ABCDEFGHI"
    private_domain  = "internal.gamma.example.com"
  }

  cluster {
    kubernetes_version = "1.30"
    instance_type      = "t3.large"
    min_size           = 1
    desired_size       = 1
    max_size           = 2
  }

  gitops {
    repo_url                  = "https://git.example.com/fleet.git"
    argocd_chart_version      = "10.0.1"
    argocd_apps_chart_version = "2.0.4"
  }
}
