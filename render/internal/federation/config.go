package federation

import "slices"

// Config is the part of Prometheus' configuration file fleetgen writes,
// in the order Prometheus documents it.
type Config struct {
	Global        Global         `yaml:"global"`
	RuleFiles     []string       `yaml:"rule_files"`
	ScrapeConfigs []ScrapeConfig `yaml:"scrape_configs"`
}

type Global struct {
	ScrapeInterval     string            `yaml:"scrape_interval"`
	ScrapeTimeout      string            `yaml:"scrape_timeout"`
	EvaluationInterval string            `yaml:"evaluation_interval"`
	ExternalLabels     map[string]string `yaml:"external_labels"`
}

type ScrapeConfig struct {
	JobName        string              `yaml:"job_name"`
	HonorLabels    bool                `yaml:"honor_labels,omitempty"`
	Scheme         string              `yaml:"scheme"`
	MetricsPath    string              `yaml:"metrics_path"`
	Params         map[string][]string `yaml:"params,omitempty"`
	ScrapeInterval string              `yaml:"scrape_interval,omitempty"`
	ScrapeTimeout  string              `yaml:"scrape_timeout,omitempty"`
	StaticConfigs  []StaticConfig      `yaml:"static_configs"`
}

type StaticConfig struct {
	Targets []string          `yaml:"targets"`
	Labels  map[string]string `yaml:"labels,omitempty"`
}

// selfScrapeAddress is where the central Prometheus scrapes its own
// metrics, which its health rules read: the port the prometheus-community
// chart's server container listens on.
const selfScrapeAddress = "localhost:9090"

// selfJobName is the job of the central Prometheus' own metrics.
const selfJobName = "prometheus"

// ConfigOf is the central Prometheus configuration of f, with the given
// rule files (their paths differ between the plain file and the chart).
func ConfigOf(f *Model, ruleFiles []string) Config {
	c := Config{
		Global: Global{
			ScrapeInterval:     f.ScrapeInterval,
			ScrapeTimeout:      f.ScrapeTimeout,
			EvaluationInterval: f.ScrapeInterval,
			ExternalLabels:     map[string]string{"environment": f.Environment},
		},
		RuleFiles: ruleFiles,
		ScrapeConfigs: []ScrapeConfig{{
			JobName:       selfJobName,
			Scheme:        "http",
			MetricsPath:   "/metrics",
			StaticConfigs: []StaticConfig{{Targets: []string{selfScrapeAddress}, Labels: map[string]string{"environment": f.Environment}}},
		}},
	}
	for _, j := range f.Jobs {
		sc := ScrapeConfig{
			JobName:        j.Name,
			HonorLabels:    true,
			Scheme:         j.Scheme,
			MetricsPath:    j.MetricsPath,
			Params:         map[string][]string{"match[]": slices.Clone(f.Match)},
			ScrapeInterval: f.ScrapeInterval,
			ScrapeTimeout:  f.ScrapeTimeout,
		}
		for _, t := range j.Targets {
			sc.StaticConfigs = append(sc.StaticConfigs, StaticConfig{Targets: []string{t.Address}, Labels: t.Labels})
		}
		c.ScrapeConfigs = append(c.ScrapeConfigs, sc)
	}
	return c
}
