# alpha shares its state bucket with beta; its API endpoint is also public
# (from two CIDRs), it has no lock table (S3-native locking), and its role
# path and Git revision hold "${" and "%{", which must stay literal; so
# does the path of its plan role, the only plan role of the three.
environment "alpha" {
  account_id      = "123456789012"
  region          = "eu-west-1"
  deployment_name = "fleet"

  terraform {
    state_bucket  = "shared-fleet-state"
    state_region  = "eu-central-1"
    role_arn      = "arn:aws:iam::123456789012:role/$${deploy}/%%{endif}/fleet-deployer"
    plan_role_arn = "arn:aws:iam::123456789012:role/$${plan}/fleet-plan"
    module_ref    = "v1.6.0"
  }

  network {
    vpc_id             = "vpc-0123456789abcdef0"
    private_subnet_ids = ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"]
    api_access         = "public_and_private"
    api_allowed_cidrs  = ["198.51.100.0/24", "203.0.113.7/32"]
  }

  dns {
    private_zone_id = "Z0123456789ABCDEFGHIJ"
    private_domain  = "internal.alpha.example.com"
  }

  cluster {
    kubernetes_version = "1.31"
    # Test values of the right shape, not looked up at AWS.
    node_release_version = "1.31.7-20250410"
    addon_versions = {
      "aws-ebs-csi-driver"     = "v1.41.0-eksbuild.1"
      "eks-pod-identity-agent" = "v1.3.5-eksbuild.2"
    }
    instance_type = "t3.medium"
    min_size      = 1
    desired_size  = 2
    max_size      = 3
  }

  gitops {
    repo_url         = "https://git.example.com/fleet.git"
    revision         = "release-$${tag}-%%{x}"
    argocd_namespace = "gitops"
    project          = "fleet"
  }

  app "grafana" {
    version   = "8.5.1"
    host      = "dashboards"
    namespace = "gitops"
  }
  app "nginx-internal" {
    version = "4.11.3"
    values = {
      fullnameOverride = "ingress-internal"
      controller       = { wildcardTLS = { secret = "network/wildcard-internal-tls" } }
    }
  }
  app "prometheus" {
    version = "25.27.0"
    host    = "prometheus"
    enabled = false
  }
}
