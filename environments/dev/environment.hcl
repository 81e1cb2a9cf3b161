# The dev environment: the command and control cluster that developers and
# the provisioner's CI use. Cheaper nodes, same shape as prod.
environment "dev" {
  account_id = "111122223333"
  region     = "us-east-1"

  terraform {
    state_bucket = "terraform-cloud-monitoring-state-bucket-dev"
    role_arn     = "arn:aws:iam::111122223333:role/fleet-deployer"
    # Read-only: a pull request's terraform plan runs with it (docs/terraform.md).
    plan_role_arn = "arn:aws:iam::111122223333:role/fleet-plan"
    module_ref    = "v1.6.0"
  }

  network {
    vpc_id             = "vpc-0a1b2c3d4e5f60718"
    private_subnet_ids = ["subnet-0a11b22c33d44e551", "subnet-0a11b22c33d44e552", "subnet-0a11b22c33d44e553"]
  }

  dns {
    private_zone_id = "Z0DEV1234567890ABCDEF"
    private_domain  = "internal.dev.cloud.example.com"
  }

  cluster {
    kubernetes_version = "1.33"
    instance_type      = "t3.large"
    min_size           = 2
    desired_size       = 2
    max_size           = 4
  }

  gitops {
    repo_url = "https://github.com/example/mattermost-fleet.git"
  }

  federation {
    hub_cluster_id = "command-and-control-dev"
  }

  # Alerts of the central Prometheus go to a Mattermost channel, through
  # an incoming webhook whose URL is the "url" key of the Secret
  # monitoring/alertmanager-mattermost, created outside the inventory.
  alerting {
    default_receiver = "cloud-dev"
    receiver "cloud-dev" {
      mattermost {
        secret  = "alertmanager-mattermost"
        channel = "cloud-dev-alerts"
      }
    }
  }

  app "prometheus" {
    version = "29.27.0"
    host    = "prometheus"
  }
  app "grafana" {
    version = "12.11.1"
    host    = "grafana"
    values = {
      admin = {
        existingSecret = "grafana-admin"
      }
    }
  }
  app "prometheus-client" {
    version = "29.27.0"
  }
  app "nginx-internal" {
    version = "2.6.4"
    values = {
      controller = {
        # The certificate of the ingress hosts under TLS without their own
        # secretName, provisioned outside the inventory.
        wildcardTLS = { secret = "network/wildcard-internal-tls" }
      }
    }
  }

  # Logs of every cluster: the ECK operator, then Elasticsearch on the
  # private ingress (the workload clusters' Fluent Bit ships to it,
  # authenticated) and Kibana; Fluent Bit ships the C&C cluster's own logs
  # (docs/monitoring.md).
  app "eck-operator" {
    version = "3.5.0"
  }
  app "elasticsearch" {
    version = "0.20.0"
    host    = "elasticsearch"
  }
  app "kibana" {
    version = "0.20.0"
    host    = "kibana"
  }
  app "fluent-bit" {
    version = "0.58.1"
  }

  # The provisioner: no chart of it exists, so fleetgen renders its
  # Deployment, Service and ServiceAccount (no RBAC: it never calls this
  # cluster's API) into out/dev/provisioner/ (docs/argocd.md). The Secrets
  # are made outside the inventory: database_secret holds the PostgreSQL
  # DSN as DATABASE, ssh_secret the key pair the provisioner gives the
  # clusters it creates (id_rsa, id_rsa.pub).
  provisioner {
    tag                = "v0.93.1"
    role_arn           = "arn:aws:iam::111122223333:role/mattermost-provisioner"
    state_store        = "mattermost-kops-state-dev"
    database_secret    = "mattermost-cloud-database"
    ssh_secret         = "mattermost-cloud-ssh"
    utilities_git_path = "out/dev/utilities"
  }
}
