# Every known app, one public, one custom, and overrides that exercise
# Helm's coalescing: a null that removes a generated key, a nested map that
# is merged, a list that is replaced, numbers and booleans.
environment "lab" {
  account_id = "111122223333"
  region     = "eu-west-1"

  terraform {
    state_bucket = "lab-state"
    role_arn     = "arn:aws:iam::111122223333:role/deployer"
    module_ref   = "v1.6.0"
  }
  network {
    vpc_id             = "vpc-0a1b2c3d"
    private_subnet_ids = ["subnet-0a1b2c3d", "subnet-1a1b2c3d"]
  }
  dns {
    private_zone_id = "Z0LAB"
    private_domain  = "internal.lab.example.com"
    public_zone_id  = "Z0LABPUB"
    public_domain   = "lab.example.com"
  }
  cluster {
    kubernetes_version = "1.32"
    instance_type      = "t3.large"
    min_size           = 1
    desired_size       = 1
    max_size           = 1
  }
  gitops {
    repo_url = "https://github.com/example/fleet.git"
  }
  federation {
    hub_cluster_id = "hub"
  }

  alerting {
    default_receiver = "team"
    receiver "team" {
      mattermost {
        secret = "am-mattermost"
      }
    }
    receiver "oncall" {
      pagerduty {
        secret     = "am-pagerduty"
        secret_key = "key"
      }
    }
    route {
      receiver = "oncall"
      matchers = ["severity=critical"]
    }
  }

  app "prometheus" {
    version = "27.39.0"
    host    = "prometheus"
    values = {
      server = {
        retention = "30d"
        ingress   = { annotations = { "nginx.org/client-max-body-size" = "1m" } }
      }
      "kube-state-metrics" = null
    }
  }
  app "prometheus-client" {
    version = "27.39.0"
  }
  app "grafana" {
    version    = "12.7.2"
    host       = "grafana"
    visibility = "public"
    values = {
      admin       = { existingSecret = "grafana-admin" }
      replicas    = 2
      persistence = { enabled = true, size = "10Gi" }
      sidecar     = { dashboards = { provider = null } }
      ingress = {
        hosts       = ["dashboards.lab.example.com"]
        annotations = { "nginx.org/basic-auth-secret" = "grafana-basic-auth" }
      }
      testFramework = null
    }
  }
  app "elasticsearch" {
    version = "0.20.0"
    host    = "elasticsearch"
    values  = { version = "8.19.3" } # the Elasticsearch fluentd's client speaks
  }
  app "kibana" {
    version = "0.20.0"
    host    = "kibana"
  }
  app "fluentd" {
    version = "0.6.0"
  }
  app "fluent-bit" {
    version = "0.58.1"
  }
  app "nginx-internal" {
    version = "2.4.4"
    values = {
      controller = { wildcardTLS = { secret = "network/wildcard-internal-tls" } }
    }
  }
  app "nginx" {
    version = "2.4.4"
    values = {
      controller = { replicaCount = 2, service = { externalTrafficPolicy = "Local" }, wildcardTLS = { secret = "network/wildcard-public-tls" } }
    }
  }
  app "eck-operator" {
    version = "3.5.0"
  }
  app "loki" {
    version    = "6.30.0"
    chart      = "loki"
    repository = "https://grafana.github.io/helm-charts"
    namespace  = "logging"
    values     = { deploymentMode = "SingleBinary", ratio = 0.5 }
  }
}

workload_cluster "aaaa1111" {
  labels = { tier = "shared" }
}
