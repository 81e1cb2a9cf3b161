# A minimal valid environment block: the HA renderer reads only its name.
environment "lab" {
  account_id = "111122223333"
  region     = "us-east-1"

  terraform {
    state_bucket = "terraform-state-lab"
    role_arn     = "arn:aws:iam::111122223333:role/fleet-deployer"
    module_ref   = "v1.6.0"
  }

  network {
    vpc_id             = "vpc-0a1b2c3d4e5f60718"
    private_subnet_ids = ["subnet-0a11b22c33d44e551", "subnet-0a11b22c33d44e552"]
  }

  dns {
    private_zone_id = "Z0DEV1234567890ABCDEF"
    private_domain  = "internal.lab.example.com"
  }

  cluster {
    kubernetes_version = "1.30"
    instance_type      = "t3.large"
    min_size           = 1
    desired_size       = 1
    max_size           = 1
  }

  gitops {
    repo_url = "https://github.com/example/fleet.git"
  }
}
