package registration

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Paths the service answers.
const (
	EventsPath  = "/events"
	HealthPath  = "/healthz"
	ReadyPath   = "/readyz"
	MetricsPath = "/metrics"
)

// DefaultSecretHeader carries the shared secret the provisioner sends
// with every event (its webhook and subscription headers).
const DefaultSecretHeader = "X-Fleetgen-Secret"

// A Service receives events, records them in its ledger and publishes the
// decisions in batches.
type Service struct {
	Ledger    *Ledger
	Publisher *Publisher
	Secret    []byte // the shared secret; never logged
	Header    string // the header that carries it
	MaxBody   int64  // bytes; larger requests get 413
	// A batch is published once no event changed anything for Quiet, or
	// MaxWait after its first change, whichever comes first.
	Quiet, MaxWait time.Duration
	// Retry is the first wait after a failed publication; it doubles up to
	// MaxWait.
	Retry time.Duration
	Log   *slog.Logger

	once    sync.Once
	wake    chan struct{}
	m       *metrics
	mu      sync.Mutex
	lastErr error
	closing bool
}

type metrics struct {
	registry  *prometheus.Registry
	received  prometheus.Counter
	applied   prometheus.Counter
	ignored   *prometheus.CounterVec
	rejected  *prometheus.CounterVec
	pushes    *prometheus.CounterVec
	lastOK    prometheus.Gauge
	pending   prometheus.Gauge
	published prometheus.Counter
}

func newMetrics() *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		received: prometheus.NewCounter(prometheus.CounterOpts{Name: "fleetgen_registration_events_received_total",
			Help: "Authenticated requests to the events endpoint."}),
		applied: prometheus.NewCounter(prometheus.CounterOpts{Name: "fleetgen_registration_events_applied_total",
			Help: "Events that recorded a new decision (a cluster to add or remove)."}),
		ignored: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "fleetgen_registration_events_ignored_total",
			Help: "Valid events that changed nothing, by reason."}, []string{"reason"}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "fleetgen_registration_events_rejected_total",
			Help: "Requests refused, by reason."}, []string{"reason"}),
		pushes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "fleetgen_registration_pushes_total",
			Help: "Publications of the registration branch, by result."}, []string{"result"}),
		lastOK: prometheus.NewGauge(prometheus.GaugeOpts{Name: "fleetgen_registration_last_success_timestamp_seconds",
			Help: "When a publication last succeeded (pushed, or found nothing to push)."}),
		pending: prometheus.NewGauge(prometheus.GaugeOpts{Name: "fleetgen_registration_pending_decisions",
			Help: "Decisions the main branch does not reflect yet."}),
		published: prometheus.NewCounter(prometheus.CounterOpts{Name: "fleetgen_registration_decisions_settled_total",
			Help: "Decisions found reflected on the main branch."}),
	}
	m.registry.MustRegister(m.received, m.applied, m.ignored, m.rejected, m.pushes, m.lastOK, m.pending, m.published)
	return m
}

func (s *Service) init() {
	s.once.Do(func() {
		s.wake = make(chan struct{}, 1)
		s.m = newMetrics()
		if s.Header == "" {
			s.Header = DefaultSecretHeader
		}
		if s.Log == nil {
			s.Log = slog.New(slog.DiscardHandler)
		}
		s.m.pending.Set(float64(len(s.Ledger.Pending())))
	})
}

// Handler serves the events endpoint, health, readiness and metrics.
func (s *Service) Handler() http.Handler {
	s.init()
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+EventsPath, s.events)
	mux.HandleFunc("GET "+HealthPath, func(w http.ResponseWriter, _ *http.Request) { reply(w, http.StatusOK, "ok", "") })
	mux.HandleFunc("GET "+ReadyPath, s.ready)
	mux.Handle("GET "+MetricsPath, promhttp.HandlerFor(s.m.registry, promhttp.HandlerOpts{}))
	return mux
}

// events takes one event. The provisioner's event subscriptions retry on
// a 5xx or no answer and give up on a 4xx, so: 200 once the event is on
// disk (or changes nothing), 4xx for a request that will never be
// accepted, 503 when it could not be recorded.
func (s *Service) events(w http.ResponseWriter, r *http.Request) {
	if !s.authenticated(r) {
		s.m.rejected.WithLabelValues("unauthenticated").Inc()
		s.Log.Warn("event refused: no valid secret", "remote", r.RemoteAddr)
		reply(w, http.StatusUnauthorized, "rejected", "missing or wrong "+s.Header+" header")
		return
	}
	s.m.received.Inc()
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.MaxBody))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		s.reject(w, http.StatusRequestEntityTooLarge, "too_large", "the body is larger than the service accepts")
		return
	case err != nil:
		s.reject(w, http.StatusBadRequest, "unreadable", "reading the body: "+err.Error())
		return
	}
	e, err := Decode(body)
	if err != nil {
		s.reject(w, http.StatusBadRequest, "malformed", err.Error())
		return
	}
	out, err := s.Ledger.Record(e)
	if err != nil {
		s.m.rejected.WithLabelValues("not_recorded").Inc()
		s.Log.Error("event not recorded", "event", e.ID, "err", err)
		reply(w, http.StatusServiceUnavailable, "retry", "the event could not be recorded; send it again")
		return
	}
	if !out.Changed {
		s.m.ignored.WithLabelValues(out.Reason).Inc()
		reply(w, http.StatusOK, "ignored", out.Reason)
		return
	}
	s.m.applied.Inc()
	s.m.pending.Set(float64(len(s.Ledger.Pending())))
	s.Log.Info("event recorded", "event", e.ID, "cluster", e.Cluster(), "state", e.NewState)
	select {
	case s.wake <- struct{}{}:
	default:
	}
	reply(w, http.StatusOK, "accepted", "")
}

func (s *Service) reject(w http.ResponseWriter, code int, reason, detail string) {
	s.m.rejected.WithLabelValues(reason).Inc()
	reply(w, code, "rejected", detail)
}

// authenticated compares digests, so the time taken says nothing about
// the secret, not even its length.
func (s *Service) authenticated(r *http.Request) bool {
	got := sha256.Sum256([]byte(r.Header.Get(s.Header)))
	want := sha256.Sum256(s.Secret)
	return len(s.Secret) > 0 && subtle.ConstantTimeCompare(got[:], want[:]) == 1
}

func (s *Service) ready(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	closing, lastErr := s.closing, s.lastErr
	s.mu.Unlock()
	switch {
	case closing:
		reply(w, http.StatusServiceUnavailable, "stopping", "")
	case lastErr != nil:
		// Events are still recorded: ready, but say why nothing is pushed.
		reply(w, http.StatusOK, "ready", "the last publication failed: "+lastErr.Error())
	default:
		reply(w, http.StatusOK, "ready", "")
	}
}

func reply(w http.ResponseWriter, code int, status, detail string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(struct {
		Status string `json:"status"`
		Detail string `json:"detail,omitempty"`
	}{status, detail})
}

// Run publishes batches until ctx ends; a publication under way is
// finished first, so no half-made commit is pushed. Pending decisions
// from before a restart are published at once.
func (s *Service) Run(ctx context.Context) {
	s.init()
	retry := time.Duration(0)
	first := len(s.Ledger.Pending()) > 0
	for {
		if !first {
			select {
			case <-ctx.Done():
				return
			case <-s.wake:
			}
		}
		first = false
		if !s.gather(ctx) {
			return
		}
		if err := s.publish(); err != nil {
			retry = min(max(2*retry, s.Retry), s.MaxWait)
			s.Log.Error("publication failed", "err", err, "retry_in", retry)
			select {
			case <-ctx.Done():
				return
			case <-time.After(retry):
			}
			first = true
			continue
		}
		retry = 0
	}
}

// gather waits until the batch is quiet for Quiet, or MaxWait has passed.
// It returns false when ctx ends first.
func (s *Service) gather(ctx context.Context) bool {
	deadline := time.NewTimer(s.MaxWait)
	defer deadline.Stop()
	for {
		quiet := time.NewTimer(s.Quiet)
		select {
		case <-ctx.Done():
			quiet.Stop()
			return false
		case <-s.wake:
			quiet.Stop()
		case <-quiet.C:
			return true
		case <-deadline.C:
			quiet.Stop()
			return true
		}
	}
}

// publish runs one publication to its end, whatever happens to the
// service's context meanwhile.
func (s *Service) publish() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	pub, err := s.Publisher.Publish(ctx, s.Ledger.Pending())
	if err == nil {
		err = s.Ledger.Settle(pub.Settled)
	}
	s.mu.Lock()
	s.lastErr = err
	s.mu.Unlock()
	if err != nil {
		s.m.pushes.WithLabelValues("failure").Inc()
		return err
	}
	s.m.published.Add(float64(len(pub.Settled)))
	s.m.pending.Set(float64(len(s.Ledger.Pending())))
	s.m.lastOK.SetToCurrentTime()
	if pub.Commit != "" {
		s.m.pushes.WithLabelValues("success").Inc()
		s.Log.Info("registration branch pushed", "branch", s.Publisher.Branch, "commit", pub.Commit, "clusters", len(pub.Applied))
	}
	return nil
}

// Serve answers on l and publishes until ctx ends, then stops taking
// events, lets requests under way finish and waits for the publication
// under way.
func (s *Service) Serve(ctx context.Context, l net.Listener) error {
	s.init()
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second}
	loop := make(chan struct{})
	go func() { defer close(loop); s.Run(ctx) }()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	var err error
	select {
	case <-ctx.Done():
	case err = <-served:
	}
	s.mu.Lock()
	s.closing = true
	s.mu.Unlock()
	shutdown, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if serr := srv.Shutdown(shutdown); err == nil && serr != nil {
		err = serr
	}
	<-loop
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return errors.Join(err, s.Ledger.Close())
}
