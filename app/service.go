package app

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/alertbot/alertbot/bot"
	"github.com/alertbot/alertbot/bot/console"
	"github.com/alertbot/alertbot/sources"
	"github.com/alertbot/alertbot/sources/feed"
	tgsource "github.com/alertbot/alertbot/sources/telegram"
	"github.com/alertbot/alertbot/sources/web"
	"github.com/alertbot/alertbot/store"
)

// Options are what a Service takes besides its config: the parts tests
// and the demo replace.
type Options struct {
	Stdout  io.Writer    // the console sink; os.Stdout when nil
	Logger  *slog.Logger // slog.Default() when nil
	Client  *http.Client // for sources; a new one when nil
	Poller  sources.PollerOptions
	Storage string // overrides cfg.Storage (and ALERTBOT_STORAGE)
	// Messengers are the chat platforms to deliver to, by name
	// ("telegram", "slack"); nil: those the environment enables (tokens).
	// With none, every alert goes to the console.
	Messengers map[string]bot.Messenger
	// Getenv reads the environment (tokens and secrets); os.Getenv when nil.
	Getenv func(string) string
	// RescueAfter is how long a delivery or digest may stay running before
	// another worker takes it over (the process that held it died);
	// default 2m, and never less than their time limits.
	RescueAfter time.Duration
	// Now is the service's clock: when alerts are raised and digests fall
	// due; time.Now when nil. River's own timing stays on the real time.
	Now func() time.Time
}

// deliverWorkers is how many deliveries run at once. Most of a delivery
// is waiting for its chat's turn under the platform's limits (a Telegram
// group takes 20 messages a minute), so many wait together.
const deliverWorkers = 32

// Service is alertbot run: it polls the sources, matches new items,
// raises alerts and delivers them, and serves /healthz, /readyz and
// /metrics.
type Service struct {
	st      *store.Store
	jobs    *river.Client[*sql.Tx]
	poller  *sources.Poller
	pipe    *pipeline
	digests *digests
	fetcher *sources.Fetcher
	metrics *metrics
	log     *slog.Logger
	ln      net.Listener // for /healthz, /readyz, /metrics; nil when none
	targets []sources.Target

	platforms map[string]bool // chat platforms with a messenger

	// Chat commands: listeners run beside the poller until it stops, and
	// handlers are served on the HTTP listener (webhooks, Slack's endpoints).
	listeners []func(ctx context.Context) error
	handlers  map[string]http.Handler
	stopping  context.Context // done when the service stops: for work its handlers start
	stop      context.CancelFunc
}

// Open opens the store named by the config (or ALERTBOT_STORAGE), applies
// the migrations, and prepares every stage. Run starts them.
func Open(ctx context.Context, cfg *Config, opt Options) (*Service, error) {
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.Stdout == nil {
		opt.Stdout = os.Stdout
	}
	if opt.RescueAfter == 0 {
		opt.RescueAfter = 2 * time.Minute
	}
	opt.RescueAfter = max(opt.RescueAfter, bot.DeliverTimeout+time.Second, bot.DigestTimeout+time.Second)
	if opt.Getenv == nil {
		opt.Getenv = os.Getenv
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	var platforms chats
	if opt.Messengers == nil {
		var err error
		if platforms, err = chatsFromEnv(ctx, cfg, opt.Getenv); err != nil {
			return nil, err
		}
		opt.Messengers = platforms.messengers()
	}
	storage := cmp.Or(opt.Storage, opt.Getenv("ALERTBOT_STORAGE"), cfg.Storage)
	lib, err := NewLibrary(cfg)
	if err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, storage)
	if err != nil {
		return nil, err
	}
	st.SetClock(opt.Now)
	s := &Service{st: st, log: opt.Logger, handlers: make(map[string]http.Handler)}
	s.stopping, s.stop = context.WithCancel(context.Background())
	if err := s.start(ctx, cfg, lib, opt); err != nil {
		s.stop()
		st.Close()
		return nil, err
	}
	if err := s.listenChats(cfg, platforms, opt.Getenv); err != nil {
		s.stop()
		st.Close()
		return nil, err
	}
	if cfg.HTTP.Listen != "" {
		if s.ln, err = net.Listen("tcp", cfg.HTTP.Listen); err != nil {
			s.stop()
			st.Close()
			return nil, fmt.Errorf("app: listen: %w", err)
		}
	}
	return s, nil
}

func (s *Service) start(ctx context.Context, cfg *Config, lib *Library, opt Options) error {
	driver := riverDriver(s.st)
	mig, err := rivermigrate.New(driver, nil)
	if err != nil {
		return fmt.Errorf("app: river migrations: %w", err)
	}
	if _, err := mig.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("app: river migrations: %w", err)
	}
	s.metrics = newMetrics(s.st.QueueDepth)
	s.pipe = &pipeline{st: s.st, metrics: s.metrics, log: s.log, now: opt.Now}
	out := console.New(opt.Stdout)
	messengers := map[string]bot.Messenger{
		"console": counted{out, s.metrics},
	}
	s.platforms = make(map[string]bool)
	for name, m := range opt.Messengers {
		messengers[name] = counted{m, s.metrics}
		s.platforms[name] = true
	}
	if err := syncStatic(ctx, s.st, cfg); err != nil {
		return err
	}
	s.pipe.cfg.Store(newRunning(cfg, lib, s.platforms))
	s.digests = newDigests(s.st, &s.pipe.cfg, opt.Now, s.log, s.metrics.digests)
	if _, err := s.digests.load(ctx); err != nil { // the chats' zones, for the first deliveries
		return err
	}

	deliverer := bot.NewDeliverer(alertLoader{s.st, &s.pipe.cfg}, deliveries{s.st}, messengers, s.log)
	deliverer.Zone = s.digests.zone
	digestMessengers := make(map[string]bot.DigestMessenger)
	for name, m := range opt.Messengers {
		if dm, ok := m.(bot.DigestMessenger); ok {
			digestMessengers[name] = dm
		}
	}
	if len(s.platforms) == 0 {
		// As alerts do, digests go to the console when no chat token is set.
		digestMessengers["telegram"], digestMessengers["slack"] = out, out
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, deliverer)
	river.AddWorker(workers, bot.NewDigestWorker(s.digests, deliveries{s.st}, digestMessengers, s.log))
	s.jobs, err = river.NewClient(driver, &river.Config{
		Queues: map[string]river.QueueConfig{
			bot.DeliverQueue: {MaxWorkers: deliverWorkers},
			bot.DigestQueue:  {MaxWorkers: digestWorkers},
		},
		Workers:              workers,
		RescueStuckJobsAfter: opt.RescueAfter,
		FetchCooldown:        50 * time.Millisecond,
		FetchPollInterval:    200 * time.Millisecond,
		Logger:               s.log,
	})
	if err != nil {
		return fmt.Errorf("app: river client: %w", err)
	}
	s.pipe.jobs = s.jobs
	s.digests.jobs = s.jobs

	s.fetcher = sources.NewFetcher(opt.Client, sources.FetchOptions{})
	s.targets, err = s.targetsOf(ctx, cfg)
	if err != nil {
		return err
	}
	s.poller = sources.NewPoller(s.pipe, withLogger(opt.Poller, s.log))
	return nil
}

func withLogger(o sources.PollerOptions, log *slog.Logger) sources.PollerOptions {
	if o.Logger == nil {
		o.Logger = log
	}
	return o
}

// riverDriver returns River's driver over the store's writer connection,
// so that alerts and their delivery jobs commit in one transaction.
func riverDriver(st *store.Store) riverdriver.Driver[*sql.Tx] {
	if st.Dialect() == "sqlite" {
		return riversqlite.New(st.DB())
	}
	return riverdatabasesql.New(st.DB())
}

// syncStatic makes the store's static subscriptions and digest schedules
// those of cfg.
func syncStatic(ctx context.Context, st *store.Store, cfg *Config) error {
	if err := st.SyncStaticSubscriptions(ctx, staticSubscriptions(cfg)); err != nil {
		return err
	}
	return st.SyncStaticDigestSchedules(ctx, digestSchedules(cfg))
}

func newRunning(cfg *Config, lib *Library, platforms map[string]bool) *running {
	r := &running{lib: lib, sources: make(map[string]Source), platforms: platforms, digestGrace: cfg.DigestGrace}
	for _, src := range cfg.Sources {
		r.sources[src.ID] = src
	}
	return r
}

// NewSource returns the source of kind src.Kind that src configures,
// fetching through f.
func NewSource(src Source, f *sources.Fetcher) (sources.Source, error) {
	switch src.Kind {
	case "rss":
		return &feed.Source{ID: src.ID, URL: src.URL, UserAgent: src.UserAgent, Lang: src.Lang, Fetcher: f}, nil
	case "telegram":
		return &tgsource.Source{ID: src.ID, Channel: src.Channel, UserAgent: src.UserAgent, Lang: src.Lang, Fetcher: f, BaseURL: src.URL}, nil
	case "html":
		sel := src.Selectors
		return &web.HTMLSource{ID: src.ID, URL: src.URL, UserAgent: src.UserAgent, Lang: src.Lang, Fetcher: f, Follow: src.Follow,
			Selectors: web.Selectors{Item: sel.Item, Title: sel.Title, Link: sel.Link, Date: sel.Date, DateLayout: sel.DateLayout, Text: sel.Text, FullText: sel.FullText}}, nil
	case "json":
		fl := src.Fields
		return &web.JSONSource{ID: src.ID, URL: src.URL, UserAgent: src.UserAgent, Lang: src.Lang, Fetcher: f,
			Fields: web.Fields{Items: fl.Items, ID: fl.ID, Title: fl.Title, Link: fl.Link, Date: fl.Date, Text: fl.Text}}, nil
	}
	return nil, fmt.Errorf("app: source %s: unknown kind %s", src.ID, src.Kind)
}

// targetsOf turns the config's sources into the Poller's targets, with
// the state and health each had when alertbot last stopped.
func (s *Service) targetsOf(ctx context.Context, cfg *Config) ([]sources.Target, error) {
	states, err := s.st.ListSourceStates(ctx)
	if err != nil {
		return nil, err
	}
	saved := make(map[string]store.SourceState, len(states))
	for _, st := range states {
		saved[st.ID] = st
	}
	var targets []sources.Target
	for _, src := range cfg.Sources {
		source, err := NewSource(src, s.fetcher)
		if err != nil {
			return nil, err
		}
		st := saved[src.ID]
		host := "t.me" // every channel's preview
		if u, err := url.Parse(src.URL); err == nil && src.URL != "" {
			host = u.Hostname()
		}
		targets = append(targets, sources.Target{
			ID: src.ID, Source: source, Every: src.Every, Host: host,
			State:    sources.State{ETag: st.ETag, LastModified: st.LastModified, Cursor: st.Cursor},
			Health:   sources.Health{LastSuccess: st.LastSuccess, LastAttempt: st.LastAttempt, ConsecutiveFailures: st.ConsecutiveFailures, LastError: st.LastError},
			NextPoll: st.NextPoll,
		})
	}
	return targets, nil
}

// Run runs the service until ctx is done, then shuts down: the polls in
// flight finish or are abandoned (their items are polled again), deliveries
// that started finish, and those that did not stay queued for the next run.
func (s *Service) Run(ctx context.Context) error {
	defer s.Close()
	// Deliveries stop gracefully in stopJobs, not when ctx is cancelled:
	// River takes a cancelled start context for a hard stop.
	if err := s.jobs.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("app: start deliveries: %w", err)
	}
	srv := s.serveHTTP()
	s.log.Info("alertbot running", "sources", len(s.targets), "rules", s.pipe.cfg.Load().lib.Matcher.Rules(), "listen", s.Addr())
	var listening sync.WaitGroup
	listening.Go(func() { s.digests.run(ctx) })
	for _, listen := range s.listeners {
		listening.Go(func() {
			if err := listen(ctx); err != nil {
				s.log.Error("chat commands stopped", "error", err)
			}
		})
	}
	err := s.poller.Run(ctx, s.targets)
	listening.Wait()
	if srv != nil {
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		srv.Shutdown(shutdown)
		cancel()
	}
	s.stopJobs()
	s.log.Info("alertbot stopped")
	return err
}

func (s *Service) stopJobs() {
	ctx, cancel := context.WithTimeout(context.Background(), bot.DeliverTimeout+5*time.Second)
	defer cancel()
	if err := s.jobs.Stop(ctx); err != nil {
		s.log.Error("stop deliveries", "error", err)
	}
}

// Reload puts a new config in force while the service runs: rules,
// sources and their settings. A config that does not compile is refused
// and the running one stays.
func (s *Service) Reload(ctx context.Context, cfg *Config) error {
	lib, err := NewLibrary(cfg)
	if err != nil {
		return err
	}
	targets, err := s.targetsOf(ctx, cfg)
	if err != nil {
		return err
	}
	if err := syncStatic(ctx, s.st, cfg); err != nil {
		return err
	}
	s.pipe.cfg.Store(newRunning(cfg, lib, s.platforms))
	s.digests.changed()
	s.poller.Update(targets)
	s.log.Info("config reloaded", "sources", len(targets), "rules", lib.Matcher.Rules())
	return nil
}

// serveHTTP serves /healthz, /readyz and /metrics on the listener; none
// when there is none.
func (s *Service) serveHTTP() *http.Server {
	if s.ln == nil {
		return nil
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if err := s.ready(r.Context()); err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, "ready\n")
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{}))
	for pattern, h := range s.handlers {
		mux.Handle(pattern, h)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(s.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("http server", "error", err)
		}
	}()
	return srv
}

// ready reports whether the database answers and its migrations are applied.
func (s *Service) ready(ctx context.Context) error {
	if err := s.st.Ping(ctx); err != nil {
		return fmt.Errorf("database: %w", err)
	}
	ok, err := s.st.MigrationsApplied(ctx)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if !ok {
		return errors.New("migrations: not all applied")
	}
	return nil
}

// Close releases a Service that will not Run (Run releases its own).
func (s *Service) Close() error {
	s.stop()
	if s.ln != nil {
		s.ln.Close()
	}
	return s.st.Close()
}

// Addr returns the address /healthz, /readyz and /metrics are served on,
// or "" when the config names none.
func (s *Service) Addr() string {
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}
