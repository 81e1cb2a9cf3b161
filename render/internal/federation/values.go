package federation

// The map forms of the Prometheus documents, for the central prometheus
// chart's serverFiles, where Helm's coalescing needs maps, not structs. Each
// is what the document's YAML form reads back as, field for field (the yaml
// tags, omitempty included; a test holds the two together), built directly:
// going through the YAML text cost as much as writing the values file.

func (c Config) Values() map[string]any {
	scrapes := make([]any, len(c.ScrapeConfigs))
	for i, sc := range c.ScrapeConfigs {
		scrapes[i] = sc.Values()
	}
	return map[string]any{
		"global": map[string]any{
			"scrape_interval":     c.Global.ScrapeInterval,
			"scrape_timeout":      c.Global.ScrapeTimeout,
			"evaluation_interval": c.Global.EvaluationInterval,
			"external_labels":     stringMap(c.Global.ExternalLabels),
		},
		"rule_files":     stringList(c.RuleFiles),
		"scrape_configs": scrapes,
	}
}

func (sc ScrapeConfig) Values() map[string]any {
	statics := make([]any, len(sc.StaticConfigs))
	for i, s := range sc.StaticConfigs {
		m := map[string]any{"targets": stringList(s.Targets)}
		if len(s.Labels) > 0 {
			m["labels"] = stringMap(s.Labels)
		}
		statics[i] = m
	}
	m := map[string]any{
		"job_name":       sc.JobName,
		"scheme":         sc.Scheme,
		"metrics_path":   sc.MetricsPath,
		"static_configs": statics,
	}
	if sc.HonorLabels {
		m["honor_labels"] = true
	}
	if len(sc.Params) > 0 {
		params := make(map[string]any, len(sc.Params))
		for k, v := range sc.Params {
			params[k] = stringList(v)
		}
		m["params"] = params
	}
	if sc.ScrapeInterval != "" {
		m["scrape_interval"] = sc.ScrapeInterval
	}
	if sc.ScrapeTimeout != "" {
		m["scrape_timeout"] = sc.ScrapeTimeout
	}
	return m
}

func (f RuleFile) Values() map[string]any {
	groups := make([]any, len(f.Groups))
	for i, g := range f.Groups {
		rules := make([]any, len(g.Rules))
		for j, r := range g.Rules {
			m := map[string]any{
				"alert":       r.Alert,
				"expr":        r.Expr,
				"labels":      stringMap(r.Labels),
				"annotations": stringMap(r.Annotations),
			}
			if r.For != "" {
				m["for"] = r.For
			}
			rules[j] = m
		}
		groups[i] = map[string]any{"name": g.Name, "rules": rules}
	}
	return map[string]any{"groups": groups}
}

// stringList and stringMap are a list and a map of strings as YAML reads
// them back: never nil (YAML writes nil as [] or {}).
func stringList(s []string) []any {
	l := make([]any, len(s))
	for i, v := range s {
		l[i] = v
	}
	return l
}

func stringMap(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
