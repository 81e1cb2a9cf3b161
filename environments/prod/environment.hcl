# The prod environment's command and control cluster.
environment "prod" {
  account_id = "444455556666"
  region     = "us-east-1"

  terraform {
    state_bucket = "terraform-cloud-monitoring-state-bucket-prod"
    role_arn     = "arn:aws:iam::444455556666:role/fleet-deployer"
    # Read-only: a pull request's terraform plan runs with it (docs/terraform.md).
    plan_role_arn = "arn:aws:iam::444455556666:role/fleet-plan"
    module_ref    = "v1.6.0"
  }

  network {
    vpc_id             = "vpc-0f9e8d7c6b5a40312"
    private_subnet_ids = ["subnet-0f11e22d33c44b551", "subnet-0f11e22d33c44b552", "subnet-0f11e22d33c44b553"]
    public_subnet_ids  = ["subnet-0f11e22d33c44b561", "subnet-0f11e22d33c44b562", "subnet-0f11e22d33c44b563"]
  }

  dns {
    private_zone_id = "Z0PROD234567890ABCDEF"
    private_domain  = "internal.prod.cloud.example.com"
    public_zone_id  = "Z0PUBL234567890ABCDEF"
    public_domain   = "prod.cloud.example.com"
  }

  cluster {
    kubernetes_version = "1.33"
    instance_type      = "m6i.xlarge"
    min_size           = 3
    desired_size       = 3
    max_size           = 6
    volume_size_gb     = 100
  }

  gitops {
    repo_url = "https://github.com/example/mattermost-fleet.git"
  }

  # fleetgen serve: the provisioner's cluster events become pull requests
  # that add and remove workload clusters (docs/registration.md).
  registration {
    image       = "ghcr.io/example/fleetgen:v1.0.0@sha256:4f1d6a9e0c3b7a25d8e6f1c9b0a4d3e2f7c8b5a6e9d0c1f2a3b4c5d6e7f80912"
    push_url    = "git@github.com:example/mattermost-fleet.git"
    known_hosts = ["github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"]
  }

  federation {
    scrape_interval = "30s"
    scrape_timeout  = "20s"
    hub_cluster_id  = "command-and-control-prod"
  }

  # Alerts of the central Prometheus: every alert to the team's Mattermost
  # channel and mailbox, critical ones also to PagerDuty. Each credential
  # is a key of a Secret in the monitoring namespace, created outside the
  # inventory: alertmanager-mattermost ("url"), alertmanager-smtp
  # ("password"), alertmanager-pagerduty ("routing-key").
  alerting {
    default_receiver = "cloud-ops"
    receiver "cloud-ops" {
      mattermost {
        secret  = "alertmanager-mattermost"
        channel = "cloud-ops-alerts"
      }
      email {
        to            = "cloud-ops@example.com"
        from          = "alertmanager@prod.cloud.example.com"
        smarthost     = "smtp.example.com:587"
        auth_username = "alertmanager"
        secret        = "alertmanager-smtp"
      }
    }
    receiver "cloud-ops-pager" {
      pagerduty {
        secret = "alertmanager-pagerduty"
      }
      mattermost {
        secret  = "alertmanager-mattermost"
        channel = "cloud-ops-alerts"
      }
    }
    route {
      receiver = "cloud-ops-pager"
      matchers = ["severity=critical"]
    }
  }

  app "prometheus" {
    version = "29.27.0"
    host    = "prometheus"
  }
  app "prometheus-client" {
    version = "29.27.0"
  }
  app "grafana" {
    version    = "12.11.1"
    host       = "grafana"
    visibility = "public"
    values = {
      admin = {
        existingSecret = "grafana-admin"
      }
      ingress = {
        annotations = {
          # HTTP Basic authentication by the public ingress controller
          # (F5 NGINX), from an htpasswd Secret kept out of the inventory.
          "nginx.org/basic-auth-secret" = "grafana-basic-auth"
          "nginx.org/basic-auth-realm"  = "Grafana"
        }
      }
    }
  }
  # The ECK operator and its CRDs, which the Elasticsearch and Kibana
  # resources of the eck-elasticsearch and eck-kibana charts need.
  app "eck-operator" {
    version = "3.5.0"
  }
  app "elasticsearch" {
    version = "0.20.0"
    # On the private ingress, so the workload clusters' log shippers reach
    # it (docs/monitoring.md); Elasticsearch authenticates every client.
    host = "elasticsearch"
  }
  app "kibana" {
    version = "0.20.0"
    host    = "kibana"
  }
  # Ships the C&C cluster's logs to Elasticsearch; the workload clusters'
  # Fluent Bit gets its values from out/prod/utilities (the provisioner's
  # utilities tree).
  app "fluent-bit" {
    version = "0.58.1"
  }
  app "nginx-internal" {
    version = "2.6.4"
    values = {
      controller = {
        # The certificate of every ingress host under TLS without its own
        # secretName (all the ingresses fleetgen generates): a TLS Secret
        # provisioned outside the inventory (cert-manager or by hand).
        wildcardTLS = { secret = "network/wildcard-internal-tls" }
      }
    }
  }
  app "nginx" {
    version = "2.6.4"
    values = {
      controller = {
        # The certificate of every ingress host under TLS without its own
        # secretName (all the ingresses fleetgen generates): a TLS Secret
        # provisioned outside the inventory (cert-manager or by hand).
        wildcardTLS = { secret = "network/wildcard-public-tls" }
      }
    }
  }

  # The provisioner: no chart of it exists, so fleetgen renders its
  # Deployment, Service and ServiceAccount (no RBAC: it never calls this
  # cluster's API) into out/prod/provisioner/ (docs/argocd.md). The Secrets
  # are made outside the inventory: database_secret holds the PostgreSQL
  # DSN as DATABASE, ssh_secret the key pair the provisioner gives the
  # clusters it creates (id_rsa, id_rsa.pub).
  provisioner {
    tag                = "v0.93.1"
    role_arn           = "arn:aws:iam::444455556666:role/mattermost-provisioner"
    state_store        = "mattermost-kops-state-prod"
    database_secret    = "mattermost-cloud-database"
    ssh_secret         = "mattermost-cloud-ssh"
    utilities_git_path = "out/prod/utilities"
  }
}
