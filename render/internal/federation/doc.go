// Package federation is the one model of what an environment's central
// Prometheus scrapes and alerts on: the federation jobs and targets, the
// configuration file and the alerting rules, as typed documents and as the
// maps a chart's values take. The prometheus family writes them as files,
// the helm family into the central Prometheus chart's values; both take
// them from here, so the two cannot disagree.
package federation
