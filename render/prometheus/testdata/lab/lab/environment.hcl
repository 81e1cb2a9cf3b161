# A federation with every kind of target: default URLs, https, a path
# prefix, a cluster left out, the hub's own client Prometheus, and label
# values that would break a hand-written YAML document.
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
  federation {
    scrape_interval = "1m"
    scrape_timeout  = "30s"
    match           = ["{job=\"prometheus\"}", "{__name__=~\"job:.*\", env!='x: y'}"]
    hub_cluster_id  = "hub"
  }

  # Every kind of notifier, a matcher that needs quoting and one that is
  # a regular expression.
  alerting {
    default_receiver = "team"
    group_by         = ["alertname", "clusterID"]
    repeat_interval  = "2h"
    receiver "team" {
      mattermost {
        secret  = "am-mattermost"
        channel = "lab-alerts"
      }
      slack {
        secret     = "am-slack"
        secret_key = "webhook.url"
      }
    }
    receiver "oncall" {
      pagerduty {
        secret = "am-pagerduty"
      }
      email {
        to            = "oncall@example.com, lead@example.com"
        from          = "alertmanager@lab.example.com"
        smarthost     = "smtp.example.com:587"
        auth_username = "alertmanager"
        secret        = "am-smtp"
      }
    }
    route {
      receiver = "oncall"
      matchers = ["severity=critical", "alertname=~\"Federat.*|Central.*\""]
      continue = true
    }
  }

  app "prometheus" {
    version = "25.27.0"
  }
  app "prometheus-client" {
    version = "25.27.0"
  }
}

workload_cluster "aaaa1111" {
  labels = { tier = "shared", odd = "yes: {no} # not a comment", boolish = "true" }
}

workload_cluster "bbbb2222" {
  prometheus_url = "https://bbbb2222.example.com"
}

workload_cluster "cccc3333" {
  prometheus_url = "https://cccc3333.example.com:9443/prometheus/"
}

workload_cluster "dddd4444" {
  federate = false
}

workload_cluster "eeee5555" {
  prometheus_url = "http://eeee5555.example.com:9090"
  labels         = { multi = "line one\nline two" }
}
