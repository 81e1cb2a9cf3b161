# The sandbox environment: a small command and control cluster whose apps
# are hydrated. fleetgen renders each app's chart into
# out/sandbox/manifests/<app>/ from the chart cache (charts/), so a pull
# request shows every Kubernetes object that changes. Its one app's chart is
# committed in the cache (its source is testdata/charts/hello), so
# rendering it needs no network; see docs/hydration.md.
environment "sandbox" {
  account_id = "444455556666"
  region     = "us-east-1"

  terraform {
    state_bucket = "terraform-cloud-monitoring-state-bucket-sandbox"
    role_arn     = "arn:aws:iam::444455556666:role/fleet-deployer"
    module_ref   = "v1.6.0"
  }

  network {
    vpc_id             = "vpc-0b1c2d3e4f5a60718"
    private_subnet_ids = ["subnet-0b11c22d33e44f551", "subnet-0b11c22d33e44f552"]
  }

  dns {
    private_zone_id = "Z0SANDBOX1234567890AB"
    private_domain  = "internal.sandbox.cloud.example.com"
  }

  cluster {
    kubernetes_version = "1.33"
    instance_type      = "t3.medium"
    min_size           = 1
    desired_size       = 1
    max_size           = 2
  }

  gitops {
    repo_url = "https://github.com/example/mattermost-fleet.git"
    hydrate  = true
  }

  app "hello" {
    chart      = "hello"
    repository = "https://charts.example.com/fleetgen"
    version    = "0.1.0"
    namespace  = "hello"
    values = {
      replicaCount = 2
      message      = "Hello from the sandbox"
      # The chart generates a random password unless it is given a Secret:
      # hydration refuses a chart that would generate one.
      existingSecret = "hello-credentials"
    }
  }
}
