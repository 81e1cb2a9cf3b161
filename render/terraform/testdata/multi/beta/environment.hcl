# beta shares alpha's state bucket; it has a DynamoDB lock table, a private
# API endpoint and one public app behind the public ingress.
environment "beta" {
  account_id      = "123456789012"
  region          = "eu-west-1"
  deployment_name = "fleet"

  terraform {
    state_bucket = "shared-fleet-state"
    state_region = "eu-central-1"
    role_arn     = "arn:aws:iam::123456789012:role/fleet-deployer"
    module_ref   = "v1.6.0"
  }

  network {
    vpc_id             = "vpc-0fedcba9876543210"
    private_subnet_ids = ["subnet-0bbbbbbbbbbbbbbb1", "subnet-0bbbbbbbbbbbbbbb2"]
    public_subnet_ids  = ["subnet-0ccccccccccccccc1", "subnet-0ccccccccccccccc2"]
  }

  dns {
    private_zone_id = "Z0BETA456789ABCDEFGHIJ"
    private_domain  = "internal.beta.example.com"
    public_zone_id  = "Z0BETAPUB789ABCDEFGHIJ"
    public_domain   = "beta.example.com"
  }

  cluster {
    kubernetes_version = "1.30"
    instance_type      = "m6i.large"
    min_size           = 2
    desired_size       = 3
    max_size           = 5
    volume_size_gb     = 80
  }

  gitops {
    repo_url = "https://git.example.com/fleet.git"
  }

  app "kibana" {
    version    = "8.5.1"
    host       = "logs"
    visibility = "public"
    values = {
      ingress = {
        annotations = {
          "nginx.org/basic-auth-secret" = "kibana-basic-auth"
        }
      }
    }
  }
  app "elasticsearch" {
    version = "8.5.1"
  }
  app "eck-operator" {
    version = "3.5.0"
  }
  app "nginx" {
    version = "4.11.3"
    release = "public-ingress-nginx"
    values  = { controller = { wildcardTLS = { secret = "network/wildcard-public-tls" } } }
  }
}
