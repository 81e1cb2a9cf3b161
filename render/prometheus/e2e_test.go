package prometheus

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/mattermost/fleetgen/internal/tooltest"
	"github.com/mattermost/fleetgen/inventory"
	"github.com/mattermost/fleetgen/render/argocd"
	"github.com/mattermost/fleetgen/render/internal/cluster"
	"github.com/mattermost/fleetgen/render/internal/rendertest"
	"github.com/mattermost/fleetgen/render/layout"
)

// TestPrometheusFederationEndToEnd runs real Prometheus servers on
// loopback: two clients that scrape themselves, and a central one started
// with the configuration fleetgen renders for an inventory whose
// prometheus_urls point at the clients. Through the central's HTTP API it
// checks that both federation targets are up with their clusterID, and that
// a series a client scraped is queryable at the central with its clusterID,
// environment and cluster labels.
func TestPrometheusFederationEndToEnd(t *testing.T) {
	prometheus := tooltest.Look(t, "prometheus")
	clients := map[string]string{"client-a": startClientPrometheus(t, prometheus), "client-b": startClientPrometheus(t, prometheus)}

	inv := t.TempDir()
	hcl, err := os.ReadFile(filepath.Join(promLab, "lab", "environment.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	// The lab environment with 1s intervals, no hub, and only the clients.
	env := strings.NewReplacer(`scrape_interval = "1m"`, `scrape_interval = "1s"`, `scrape_timeout  = "30s"`, `scrape_timeout  = "1s"`,
		`hub_cluster_id  = "hub"`, ``).Replace(string(hcl))
	env = env[:strings.Index(env, "workload_cluster")]
	for _, id := range slices.Sorted(maps.Keys(clients)) {
		env += fmt.Sprintf("workload_cluster %q {\n  prometheus_url = \"http://%s\"\n  labels = { tier = \"e2e\" }\n}\n", id, clients[id])
	}
	if err := os.MkdirAll(filepath.Join(inv, "lab"), 0o755); err != nil {
		t.Fatal(err)
	}
	rendertest.WriteFile(t, filepath.Join(inv, "lab", "environment.hcl"), env)
	config := renderPrometheusTo(t, rendertest.LoadEnv(t, inv), t.TempDir())
	central := startPrometheus(t, prometheus, config)

	// Both targets of the federate job up, each with its clusterID.
	pollQuery(t, central, `up{job="federate"} == 1`, func(r []promSample) error {
		var got []string
		for _, s := range r {
			got = append(got, s.Metric["clusterID"]+"@"+s.Metric["instance"])
		}
		slices.Sort(got)
		want := []string{"client-a@" + clients["client-a"], "client-b@" + clients["client-b"]}
		if !slices.Equal(got, want) {
			return fmt.Errorf("up targets %v, want %v", got, want)
		}
		return nil
	})
	// A series each client scraped from itself, federated with its labels.
	pollQuery(t, central, `prometheus_build_info{environment="lab", tier="e2e"}`, func(r []promSample) error {
		got := map[string]string{}
		for _, s := range r {
			got[s.Metric["clusterID"]] = s.Metric["instance"]
		}
		for id, addr := range clients {
			if got[id] != addr {
				return fmt.Errorf("no prometheus_build_info of %s (scraped at %s) with clusterID %q at the central: %v", id, addr, id, r)
			}
		}
		return nil
	})
	checkDashboardQueries(t, central)
}

// checkDashboardQueries runs every query of the Grafana federation dashboard,
// as out/<env>/k8s delivers it to Grafana (the ConfigMap kustomize builds),
// at the live central Prometheus: each must evaluate, and the panels about
// federation targets must show both clients.
func checkDashboardQueries(t *testing.T, central string) {
	t.Helper()
	federation, ok := renderedDashboards(t)["federation.json"]
	if !ok {
		t.Fatal("k8s/ delivers no federation dashboard")
	}
	var dash struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal([]byte(federation), &dash); err != nil {
		t.Fatal(err)
	}
	if len(dash.Panels) == 0 {
		t.Fatal("the dashboard has no panels")
	}
	for _, p := range dash.Panels {
		for _, target := range p.Targets {
			pollQuery(t, central, target.Expr, func(r []promSample) error {
				if strings.HasPrefix(target.Expr, `up{`) || strings.HasPrefix(target.Expr, `scrape_`) {
					if len(r) != 2 {
						return fmt.Errorf("panel %q: %d series, want one per client", p.Title, len(r))
					}
				}
				return nil
			})
		}
	}
}

// renderedDashboards are the Grafana dashboards out/<env>/k8s delivers to
// the first example environment with Grafana, by ConfigMap data key, as
// kustomize builds them.
func renderedDashboards(t *testing.T) map[string]string {
	t.Helper()
	var env *inventory.Environment
	for _, e := range rendertest.LoadInventory(t, rendertest.Examples()).Environments {
		if e.EnabledApp("grafana") != nil {
			env = e
			break
		}
	}
	if env == nil {
		t.Fatal("no example environment has Grafana")
	}
	files, diags := argocd.Render(env)
	if len(diags) > 0 {
		t.Fatal(diags.Error())
	}
	dir := layout.K8s(env.Name)
	stream, err := rendertest.KustomizeBuild(t, files, dir).AsYaml()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	dec := yaml.NewDecoder(bytes.NewReader(stream))
	for {
		var o struct {
			Kind     string
			Metadata struct{ Labels map[string]string }
			Data     map[string]string
		}
		if err := dec.Decode(&o); errors.Is(err, io.EOF) {
			return out
		} else if err != nil {
			t.Fatal(err)
		}
		if o.Kind == "ConfigMap" && o.Metadata.Labels[cluster.DashboardLabel] == cluster.DashboardLabelValue {
			maps.Copy(out, o.Data)
		}
	}
}

// startClientPrometheus starts a Prometheus that scrapes itself every
// second, as a workload cluster's client Prometheus does its cluster, and
// returns its address.
func startClientPrometheus(t *testing.T, prometheus string) string {
	t.Helper()
	addr := freeLoopbackAddr(t)
	config := filepath.Join(t.TempDir(), "client.yml")
	rendertest.WriteFile(t, config, fmt.Sprintf("global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: prometheus\n    static_configs:\n      - targets: [%q]\n", addr))
	return startPrometheusAt(t, prometheus, config, addr)
}

// startPrometheus starts a Prometheus with config on a free loopback port.
func startPrometheus(t *testing.T, prometheus, config string) string {
	t.Helper()
	return startPrometheusAt(t, prometheus, config, freeLoopbackAddr(t))
}

// startPrometheusAt starts Prometheus on addr with its own storage, waits
// until it is ready and stops it when the test ends.
func startPrometheusAt(t *testing.T, prometheus, config, addr string) string {
	t.Helper()
	return startServer(t, addr, prometheus,
		"--config.file="+config,
		"--storage.tsdb.path="+t.TempDir(),
		"--web.listen-address="+addr,
		"--log.level=warn")
}

// startServer runs a Prometheus-family server (bin with args) that
// listens on addr until the test ends, and returns addr once its
// /-/ready answers; its log is shown when the test fails.
func startServer(t *testing.T, addr, bin string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	logPath := filepath.Join(t.TempDir(), "server.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	name := filepath.Base(bin)
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
		logFile.Close()
		if t.Failed() {
			log, _ := os.ReadFile(logPath)
			t.Logf("%s on %s (%s):\n%s", name, addr, strings.Join(args, " "), log)
		}
	})
	poll(t, name+" on "+addr+" ready", func() error {
		resp, err := http.Get("http://" + addr + "/-/ready")
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("status %s", resp.Status)
		}
		return nil
	})
	return addr
}

// freeLoopbackAddr returns a 127.0.0.1 address whose port was free a moment ago.
func freeLoopbackAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return "127.0.0.1:" + strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

// promSample is one element of an instant query's vector result.
type promSample struct {
	Metric map[string]string `json:"metric"`
	Value  []any             `json:"value"`
}

// pollQuery runs an instant query at the Prometheus on addr until check
// accepts its result, or fails the test at the deadline.
func pollQuery(t *testing.T, addr, query string, check func([]promSample) error) {
	t.Helper()
	poll(t, "query "+query, func() error {
		resp, err := http.Get("http://" + addr + "/api/v1/query?query=" + url.QueryEscape(query))
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		var body struct {
			Status string `json:"status"`
			Error  string `json:"error"`
			Data   struct {
				Result []promSample `json:"result"`
			} `json:"data"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			return err
		}
		if body.Status != "success" {
			return fmt.Errorf("query failed: %s", body.Error)
		}
		return check(body.Data.Result)
	})
}

// poll calls f every 200ms until it succeeds, failing the test with f's
// last error after 30 seconds.
func poll(t *testing.T, what string, f func() error) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := f()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: gave up after 30s: %v", what, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
