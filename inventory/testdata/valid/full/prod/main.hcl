# The production command and control environment: every attribute written.
environment "prod" {
  account_id      = "123456789012"
  region          = "us-east-1"
  deployment_name = "mattermost-central-command-control"

  terraform {
    state_bucket  = "terraform-cloud-monitoring-state-bucket-prod"
    state_region  = "us-east-1"
    role_arn      = "arn:aws:iam::123456789012:role/fleet/fleet-deployer"
    module_source = "git::https://github.com/mattermost/mattermost-cloud-monitoring.git//aws"
    module_ref    = "v1.6.0"
  }

  network {
    vpc_id             = "vpc-0123456789abcdef0"
    private_subnet_ids = ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2", "subnet-0aaaaaaaaaaaaaaa3"]
    public_subnet_ids  = ["subnet-0bbbbbbbbbbbbbbb1", "subnet-0bbbbbbbbbbbbbbb2"]
    api_access         = "public_and_private"
    api_allowed_cidrs  = ["203.0.113.0/24", "198.51.100.17/32", "2001:db8::/48"]
  }

  dns {
    private_zone_id = "Z0123456789ABCDEFGHIJ"
    private_domain  = "internal.prod.cloud.example.com"
    public_zone_id  = "Z9876543210ZYXWVUTSRQ"
    public_domain   = "prod.cloud.example.com"
  }

  cluster {
    kubernetes_version = "1.30"
    instance_type      = "m6i.xlarge"
    min_size           = 3
    desired_size       = 3
    max_size           = 6
    volume_size_gb     = 100
  }

  gitops {
    repo_url         = "https://github.com/example/fleet.git"
    revision         = "main"
    argocd_namespace = "argocd"
    project          = "default"
  }

  federation {
    scrape_interval = "30s"
    scrape_timeout  = "25s"
    match           = ["{job=\"prometheus\"}", "{__name__=~\"job:.*\"}", "up"]
    hub_cluster_id  = "command-and-control"
  }

  app "prometheus" {
    version = "25.27.0"
    values  = { server = { retention = "30d", persistentVolume = { size = "200Gi" } } }
  }

  app "prometheus-client" {
    version = "25.27.0"
  }

  app "grafana" {
    version    = "8.5.1"
    host       = "grafana"
    visibility = "public"
    values = {
      adminUser = "admin"
      admin     = { existingSecret = "grafana-admin", userKey = "user", passwordKey = "password" }
      envFromSecret = "grafana-env"
      ingress = {
        enabled = true
        annotations = {
          "nginx.ingress.kubernetes.io/auth-url"    = "https://oauth2.prod.cloud.example.com/oauth2/auth"
          "nginx.ingress.kubernetes.io/auth-signin" = "https://oauth2.prod.cloud.example.com/oauth2/start"
        }
      }
    }
  }

  app "eck-operator" {
    version = "3.5.0"
  }

  app "elasticsearch" {
    version = "8.5.1"
    host    = "elasticsearch"
    values  = { version = "8.19.3" } # the Elasticsearch fluentd's client speaks
  }

  app "kibana" {
    version = "8.5.1"
    host    = "logs"
  }

  app "fluentd" {
    version = "0.6.0"
  }

  # The retired community controller, which some environments still run.
  app "nginx-internal" {
    version    = "4.11.3"
    chart      = "ingress-nginx"
    repository = "https://kubernetes.github.io/ingress-nginx"
    values     = { controller = { extraArgs = { default-ssl-certificate = "network/wildcard-nginx-internal-tls" } } }
  }

  # The retired community controller, which some environments still run.
  app "nginx" {
    version    = "4.11.3"
    chart      = "ingress-nginx"
    repository = "https://kubernetes.github.io/ingress-nginx"
    values     = { controller = { extraArgs = { default-ssl-certificate = "network/wildcard-nginx-tls" } } }
  }

  provisioner {
    image              = "registry.example.com/mattermost/mattermost-cloud"
    tag                = "v0.93.1"
    namespace          = "provisioner"
    role_arn           = "arn:aws:iam::123456789012:role/mattermost-provisioner"
    state_store        = "mattermost-kops-state-prod"
    database_secret    = "mattermost-cloud-database"
    ssh_secret         = "mattermost-cloud-ssh"
    utilities_git_url  = "https://github.com/example/utilities.git"
    utilities_git_path = "prod/utilities"
  }

  app "oauth2-proxy" {
    version    = "7.7.1"
    chart      = "oauth2-proxy"
    repository = "https://oauth2-proxy.github.io/manifests"
    namespace  = "auth"
    host       = "oauth2"
    visibility = "public"
    values = {
      config = { existingSecret = "oauth2-proxy" }
      ingress = { annotations = { "nginx.ingress.kubernetes.io/auth-type" = "none-needed-this-is-the-auth-service" } }
    }
  }

  app "loki" {
    version    = "6.16.0"
    chart      = "loki"
    repository = "oci://registry.example.com/charts"
    namespace  = "logging"
    enabled    = false
  }
}

workload_cluster "c5ge4ktqubdnzp7rxw8gay1pqe" {
  labels = { tier = "shared", region_group = "us" }
}

workload_cluster "k8d2xr6u4tbq3mzyh1w9efcnpa" {
  prometheus_url = "https://k8d2xr6u4tbq3mzyh1w9efcnpa.prometheus.internal.prod.cloud.example.com:9443"
  federate       = false
}

workload_cluster "r3nqg7tw1k5hbxp0c2m9ydvjua" {
  prometheus_url = "http://10.20.30.40"
}

# The published recipe: three nodes, the "doc" port layout, a 5.31 server,
# tunnels opened once by pre_start.sh.
ha_cluster "recipe" {
  mattermost_version = "5.31.9"
  tunnel_ports       = "doc"
  tunnel_supervision = "recipe"
  install_dir        = "/opt/mattermost"

  node "mm1" {
    address    = "10.10.250.146"
    ordinal    = 1
    host_key   = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJntg7BwTPWfmk/TAYRASa61fAnI9VjUNe18qJG+4B/m root@mm1"
    tunnel_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIL9Ka1iQl/UuJygbRW9ixzjvGioYIhbwxFaL/AOXb0FL mattermost@mm1"
  }
  node "mm2" {
    address    = "10.10.250.231"
    ordinal    = 2
    host_key   = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIP2xNs0OD4gedvTlQAFqJvmmwi5+KDOzJAcJ4WOU9UOi root@mm2"
    tunnel_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE0C1rTftOFL7VnmEfvYiIfftzreb2F5NsYNDqGD9Nu9 mattermost@mm2"
  }
  node "mm3" {
    address    = "10.10.250.165"
    ordinal    = 3
    host_key   = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILiDPnNrQglDHhQBjLo3q1IoMBMbEA7TWEh9rh/qSzQF root@mm3"
    tunnel_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJlCFGDGA+mJCqZWRp5a7N0+GMG0Dt1laOxTwNoh/+dL mattermost@mm3"
  }
}
