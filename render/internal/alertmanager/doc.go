// Package alertmanager builds the Alertmanager configuration of an
// environment's alerting block: one typed model that the prometheus family
// writes as out/<env>/prometheus/alertmanager.yml and the helm family
// writes into the central prometheus chart's alertmanager subchart values
// (config and extraSecretMounts), so the two cannot disagree.
//
// Credentials never appear in it: each notifier reads its webhook URL,
// routing key or SMTP password from a file (api_url_file,
// routing_key_file, auth_password_file) of a Secret the subchart mounts
// read-only under SecretsDir.
package alertmanager
