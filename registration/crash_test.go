package registration_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/mattermost/fleetgen/cmd/cli"
	"github.com/mattermost/fleetgen/registration"
)

// childArgs, when set, makes the test binary run fleetgen with these
// arguments: the crash test's service is a real process it can kill.
const childArgs = "FLEETGEN_REGISTRATION_TEST_ARGS"

func TestMain(m *testing.M) {
	if args := os.Getenv(childArgs); args != "" {
		var a []string
		if err := json.Unmarshal([]byte(args), &a); err != nil {
			panic(err)
		}
		os.Args = append([]string{"fleetgen"}, a...)
		os.Exit(cli.Main())
	}
	os.Exit(m.Run())
}

// startServe runs `fleetgen serve` as its own process.
func startServe(t *testing.T, f *fleet, data, secretFile string, port int) *exec.Cmd {
	t.Helper()
	args, _ := json.Marshal([]string{"serve", "--env", testEnv, "--repo", f.URL, "--data-dir", data,
		"--secret-file", secretFile, "--listen", fmt.Sprintf("127.0.0.1:%d", port),
		"--batch-quiet", "100ms", "--batch-max-wait", "400ms", "--retry", "100ms"})
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childArgs+"="+string(args))
	log, err := os.Create(filepath.Join(t.TempDir(), "serve.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = log
	t.Cleanup(func() {
		if t.Failed() {
			b, _ := os.ReadFile(log.Name())
			t.Logf("fleetgen serve's log:\n%s", b)
		}
	})
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	waitFor(t, 20*time.Second, "fleetgen serve answers", func() bool {
		resp, err := http.Get(url + registration.HealthPath)
		if err == nil {
			resp.Body.Close()
		}
		return err == nil && resp.StatusCode == 200
	})
	return cmd
}

// A service killed (SIGKILL) while it takes events and publishes them
// loses no event it answered 200, and the next one publishes them all;
// SIGTERM stops it cleanly.
func TestKilledServiceLosesNoAcceptedEvent(t *testing.T) {
	f := newFleet(t)
	initial := clusters(t, f.clone(t, "origin/main"))
	data := t.TempDir()
	secretFile := filepath.Join(t.TempDir(), "secret")
	os.WriteFile(secretFile, []byte(testSecret+"\n"), 0o600)
	port := freePort(t)
	url := fmt.Sprintf("http://127.0.0.1:%d", port)

	r := rand.New(rand.NewPCG(3, 4))
	var ids, bodies []string
	at := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	for i := range 200 {
		id := newID(r)
		ids = append(ids, id)
		bodies = append(bodies, eventBody(i%2 == 0, fmt.Sprintf("ev%d", i), id, "cluster", "stable", testEnv, at.Add(time.Duration(i)*time.Second)))
	}

	child := startServe(t, f, data, secretFile, port)
	killed := make(chan struct{})
	go func() {
		// Killed while events arrive and batches are published.
		time.Sleep(1500 * time.Millisecond)
		child.Process.Signal(syscall.SIGKILL)
		child.Wait()
		close(killed)
	}()
	var accepted []string
	unanswered := 0
	client := &http.Client{Timeout: 5 * time.Second}
	for i, body := range bodies {
		select {
		case <-killed:
		default:
			switch post(client, url, testSecret, body) {
			case 200:
				accepted = append(accepted, ids[i])
				time.Sleep(15 * time.Millisecond) // a stream, not a burst
				continue
			case 0:
			default:
				t.Fatalf("event %d refused", i)
			}
			time.Sleep(10 * time.Millisecond)
		}
		unanswered++
	}
	<-killed
	if len(accepted) == 0 || unanswered == 0 || f.branch(t) == "" {
		t.Fatalf("the kill came at the wrong time: %d accepted, %d unanswered, branch %q", len(accepted), unanswered, f.branch(t))
	}

	// Every event answered 200 is in the ledger the next process opens.
	ledger, err := registration.OpenLedger(data, testEnv)
	if err != nil {
		t.Fatal(err)
	}
	var recorded []string
	for _, d := range ledger.Decisions() {
		recorded = append(recorded, d.Cluster)
	}
	ledger.Close()
	for _, id := range accepted {
		if !slices.Contains(recorded, id) {
			t.Errorf("cluster %s was accepted (200) but is not in the ledger after the kill", id)
		}
	}
	t.Logf("killed after %d events accepted; %d to send again", len(accepted), unanswered)

	// The provisioner sends again what got no answer (subscriptions
	// retry); everything ends on the branch.
	child = startServe(t, f, data, secretFile, port)
	for i, body := range bodies {
		if !slices.Contains(accepted, ids[i]) {
			if got := post(client, url, testSecret, body); got != 200 {
				t.Fatalf("event %d after the restart: status %d", i, got)
			}
		}
	}
	want := slices.Sorted(slices.Values(append(slices.Clone(initial), ids...)))
	took := waitFor(t, 60*time.Second, "the branch holds every cluster", func() bool {
		c := f.branch(t)
		return c != "" && slices.Equal(clusters(t, f.clone(t, c)), want)
	})
	t.Logf("branch complete %s after the last event", took.Round(time.Millisecond))
	checkRendered(t, f.clone(t, f.branch(t)))

	child.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- child.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("fleetgen serve did not stop cleanly on SIGTERM: %v", err)
		}
	case <-time.After(30 * time.Second):
		child.Process.Kill()
		t.Fatal("fleetgen serve did not stop within 30 s of SIGTERM")
	}
}
