package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/accountability/accountabilitydb"
	"github.com/qingdan/qingdan/internal/accountability/accountabilityweb"
	"github.com/qingdan/qingdan/internal/api"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/attach/attachdb"
	"github.com/qingdan/qingdan/internal/attach/attachweb"
	"github.com/qingdan/qingdan/internal/auth"
	"github.com/qingdan/qingdan/internal/auth/authweb"
	"github.com/qingdan/qingdan/internal/calendar/caldb"
	"github.com/qingdan/qingdan/internal/calendar/calweb"
	"github.com/qingdan/qingdan/internal/casework/caseworkdb"
	"github.com/qingdan/qingdan/internal/casework/caseworkweb"
	"github.com/qingdan/qingdan/internal/catalog/catdb"
	"github.com/qingdan/qingdan/internal/catalog/catsearch"
	"github.com/qingdan/qingdan/internal/catalog/catweb"
	"github.com/qingdan/qingdan/internal/complaint"
	"github.com/qingdan/qingdan/internal/complaint/complaintdb"
	"github.com/qingdan/qingdan/internal/complaint/complaintweb"
	"github.com/qingdan/qingdan/internal/document/documentdb"
	"github.com/qingdan/qingdan/internal/document/documentweb"
	"github.com/qingdan/qingdan/internal/flow/flowweb"
	"github.com/qingdan/qingdan/internal/gctune"
	"github.com/qingdan/qingdan/internal/notify/notifydb"
	"github.com/qingdan/qingdan/internal/notify/notifyweb"
	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/org/orgweb"
	"github.com/qingdan/qingdan/internal/rating/ratingdb"
	"github.com/qingdan/qingdan/internal/rating/ratingweb"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/supervise/supervisedb"
	"github.com/qingdan/qingdan/internal/supervise/superviseweb"
	"github.com/qingdan/qingdan/internal/web"
	"github.com/qingdan/qingdan/internal/web/httpx"
)

func init() {
	register(&command{name: "serve", summary: "qingdan.summary.serve", run: runServe})
}

// serveConfig is every setting of `qingdan serve`; each flag is also read
// from its QINGDAN_* environment variable (see -h).
type serveConfig struct {
	db              *dbConfig
	addr            string
	logFormat       string
	demo            bool
	demoCases       int
	complaintTiers  string // body codes whose complaints run on the service-centre tiers (P6)
	attachURL       string // the attachments' bucket (empty: <data-dir>/attachments)
	scanCommand     string // the virus scanner run on every uploaded file
	sessionIdle     time.Duration
	sessionMax      time.Duration
	lockoutFailures int
	lockoutFor      time.Duration
	secureCookies   bool
	tlsCert         string
	tlsKey          string
	clientIPHeader  string
	shutdownTimeout time.Duration
	gcPercent       int
	memoryLimitMB   int64
	pageMemoryMB    int64
	metricsFrom     prefixes
	metricsToken    string
	publicURL       string
	maxImports      int
	headerTimeout   time.Duration
	idleTimeout     time.Duration
	bodyTimeout     time.Duration
	bodyMinRateKiB  int64
	// now is the clock of the calendar's missing-year banner (L9); nil is
	// time.Now. Not a flag: tests set it.
	now        func() time.Time
	separation bool
	notify     *notifyConfig
}

func serveFlags(fs *flag.FlagSet) *serveConfig {
	c := &serveConfig{db: dbFlags(fs), notify: notifyFlags(fs)}
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8080", t("qingdan.flag.addr"))
	fs.StringVar(&c.logFormat, "log-format", web.LogAuto, t("qingdan.flag.log_format"))
	fs.BoolVar(&c.demo, "demo", true, t("qingdan.flag.demo"))
	fs.StringVar(&c.complaintTiers, "complaint-tiers", "", t("qingdan.flag.complaint_tiers"))
	fs.StringVar(&c.attachURL, "attach-url", "", t("qingdan.flag.attach_url"))
	fs.StringVar(&c.scanCommand, "scan-command", "", t("qingdan.flag.scan_command"))
	fs.IntVar(&c.demoCases, "demo-cases", 6000, t("qingdan.flag.demo_cases"))
	fs.DurationVar(&c.sessionIdle, "session-idle", 30*time.Minute, t("qingdan.flag.session_idle"))
	fs.DurationVar(&c.sessionMax, "session-max", 12*time.Hour, t("qingdan.flag.session_max"))
	fs.IntVar(&c.lockoutFailures, "lockout-failures", 5, t("qingdan.flag.lockout_failures"))
	fs.DurationVar(&c.lockoutFor, "lockout-duration", 15*time.Minute, t("qingdan.flag.lockout_duration"))
	fs.BoolVar(&c.secureCookies, "secure-cookies", false, t("qingdan.flag.secure_cookies"))
	fs.StringVar(&c.tlsCert, "tls-cert", "", t("qingdan.flag.tls_cert"))
	fs.StringVar(&c.tlsKey, "tls-key", "", t("qingdan.flag.tls_key"))
	fs.StringVar(&c.publicURL, "public-url", "", t("qingdan.flag.public_url"))
	fs.StringVar(&c.clientIPHeader, "client-ip-header", "", t("qingdan.flag.client_ip_header"))
	fs.DurationVar(&c.shutdownTimeout, "shutdown-timeout", 15*time.Second, t("qingdan.flag.shutdown_timeout"))
	fs.IntVar(&c.gcPercent, "gc-percent", 0, t("qingdan.flag.gc_percent"))
	fs.Int64Var(&c.memoryLimitMB, "memory-limit-mb", 0, t("qingdan.flag.memory_limit_mb"))
	fs.BoolVar(&c.separation, "separation-of-duties", false, t("qingdan.flag.separation_of_duties"))
	fs.DurationVar(&c.headerTimeout, "read-header-timeout", 10*time.Second, t("qingdan.flag.read_header_timeout"))
	fs.DurationVar(&c.idleTimeout, "idle-timeout", 2*time.Minute, t("qingdan.flag.idle_timeout"))
	fs.DurationVar(&c.bodyTimeout, "body-timeout", web.DefaultBodyTimeout, t("qingdan.flag.body_timeout"))
	fs.Int64Var(&c.bodyMinRateKiB, "body-min-rate", web.DefaultBodyMinRate>>10, t("qingdan.flag.body_min_rate"))
	fs.IntVar(&c.maxImports, "max-imports", web.DefaultMaxImports, t("qingdan.flag.max_imports"))
	c.metricsFrom = prefixes(web.Loopback)
	fs.Var(&c.metricsFrom, "metrics-from", t("qingdan.flag.metrics_from"))
	fs.StringVar(&c.metricsToken, "metrics-token", "", t("qingdan.flag.metrics_token"))
	fs.Int64Var(&c.pageMemoryMB, "page-memory-mb", web.DefaultPortalPageMemoryMB, t("qingdan.flag.page_memory_mb"))
	return c
}

func (c *serveConfig) check() error {
	switch {
	case c.sessionIdle <= 0 || c.sessionMax <= 0 || c.sessionIdle > c.sessionMax:
		return usageError{t("qingdan.session_idle_and_session_max_must")}
	case c.lockoutFailures < 1:
		return usageError{t("qingdan.lockout_failures_must_be_at_least")}
	case c.maxImports < 1:
		return usageError{t("qingdan.max_imports_must_be_at_least")}
	case c.headerTimeout <= 0 || c.idleTimeout <= 0 || c.bodyTimeout <= 0:
		return usageError{t("qingdan.read_header_timeout_idle_timeout_and")}
	case c.bodyMinRateKiB < 1:
		return usageError{t("qingdan.body_min_rate_must_be_at")}
	case c.lockoutFor <= 0:
		return usageError{t("qingdan.lockout_duration_must_be_positive")}
	case (c.tlsCert == "") != (c.tlsKey == ""):
		return usageError{t("qingdan.give_both_tls_cert_and_tls")}
	case c.gcPercent != 0 && (c.gcPercent < 25 || c.gcPercent > 10000):
		return usageError{t("qingdan.gc_percent_must_be_0_or")}
	case c.memoryLimitMB != 0 && c.memoryLimitMB < 64:
		return usageError{t("qingdan.memory_limit_mb_must_be_0")}
	case c.pageMemoryMB < 0:
		return usageError{t("qingdan.page_memory_mb_must_not_be")}
	case c.memoryLimitMB > 0 && c.pageMemoryMB > c.memoryLimitMB/4:
		return usageError{t("qingdan.page_memory_mb_must_be_between", c.memoryLimitMB/4)}
	}
	if _, _, err := net.SplitHostPort(c.addr); err != nil {
		return usageError{t("qingdan.invalid_addr", c.addr, err)}
	}
	if c.publicURL == "" {
		c.publicURL = "http://" + c.addr
	}
	if err := web.CheckPublicURL(c.publicURL); err != nil {
		return usageError{"--public-url: " + err.Error()}
	}
	return c.notify.check()
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("qingdan serve", flag.ContinueOnError)
	cfg := serveFlags(fs)
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	if err := cfg.check(); err != nil {
		return err
	}
	logger, err := web.NewLogger(cfg.logFormat, stderr)
	if err != nil {
		return usageError{err.Error()}
	}
	gc := gctune.Apply(cfg.gcPercent, cfg.memoryLimitMB)
	logger.Info("garbage collector", "gogc", gc.Percent, "memory_limit_mib", gc.LimitBytes>>20,
		"gogc_from_env", gc.FromEnvGOGC, "memory_limit_from_env", gc.FromEnvMem)
	app, err := openApp(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer app.close()

	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("%s: %w", t("qingdan.cannot_listen_on", cfg.addr), err)
	}
	scheme := "http"
	if cfg.tlsCert != "" {
		scheme = "https"
	}
	fmt.Fprintf(stdout, "qingdan %s serving %s://%s (database %s)\n", version, scheme, ln.Addr(), cfg.db.redacted())
	if app.demoLoaded {
		printDemoAccounts(stdout)
	}

	hs := newHTTPServer(cfg, app.handler, logger)
	errc := make(chan error, 1)
	go func() {
		if cfg.tlsCert != "" {
			errc <- hs.ServeTLS(ln, cfg.tlsCert, cfg.tlsKey)
		} else {
			errc <- hs.Serve(ln)
		}
	}()
	go app.background(ctx)
	go app.deliver(ctx)
	go app.deemAccept(ctx)
	go app.supervise(ctx)
	go app.inviteRatings(ctx)
	go app.noticesDelivered(ctx)

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down", "grace", cfg.shutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), cfg.shutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// prefixes is a flag of networks: CIDRs or single addresses, comma-separated.
type prefixes []netip.Prefix

func (p *prefixes) String() string {
	s := make([]string, len(*p))
	for i, n := range *p {
		s[i] = n.String()
	}
	return strings.Join(s, ",")
}

func (p *prefixes) Set(v string) error {
	out := prefixes{} // set, even to nothing: not the default
	for _, f := range strings.Split(v, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := netip.ParsePrefix(f)
		if err != nil {
			a, aerr := netip.ParseAddr(f)
			if aerr != nil {
				return fmt.Errorf("%q is neither a network (CIDR) nor an address", f)
			}
			n = netip.PrefixFrom(a, a.BitLen())
		}
		out = append(out, n.Masked())
	}
	*p = out
	return nil
}

// newHTTPServer is serve's HTTP server: a client has --read-header-timeout
// for a request's headers and an idle connection --idle-timeout; bodies are
// paced by the handler (web.Config.BodyTimeout), since one fixed read
// timeout would either cut a large upload short or let slow clients hold
// connections. Writes have no timeout: a list's export streams.
func newHTTPServer(cfg *serveConfig, h http.Handler, logger *slog.Logger) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: cfg.headerTimeout, IdleTimeout: cfg.idleTimeout,
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
}

// app is the wired server: the database, the services and the handler.
type app struct {
	db         *store.DB
	auth       *auth.Service
	handler    http.Handler
	web        *web.Server // the handler, for its route table
	orgs       *org.Service
	notes      *notifydb.Service
	deliverer  *notifydb.Deliverer
	cases      *caseworkdb.Service
	docs       *documentdb.Service
	sup        *supervisedb.Service
	files      *attachdb.Service
	complaints *complaintdb.Service
	ratings    *ratingdb.Service
	publicURL  string
	log        *slog.Logger
	demoLoaded bool
}

func (a *app) close() {
	if a.files != nil {
		if err := a.files.Close(); err != nil {
			a.log.Error("closing the attachments' bucket", "err", err)
		}
	}
	if err := a.db.Close(); err != nil {
		a.log.Error("closing the database", "err", err)
	}
}

// openApp opens and migrates the database, loads the demo into an empty one
// when asked, and builds the handler with every feature's routes.
func openApp(ctx context.Context, cfg *serveConfig, logger *slog.Logger) (*app, error) {
	if err := prepareDataDir(cfg.db); err != nil {
		return nil, err
	}
	db, err := cfg.db.openMigrated(ctx)
	if err != nil {
		return nil, err
	}
	a := &app{db: db, log: logger}
	cookie := auth.CookieOptions{Secure: cfg.secureCookies}
	orgs := org.NewService(db)
	a.auth = auth.NewService(db, orgs, auth.Config{
		IdleTimeout: cfg.sessionIdle, AbsoluteTimeout: cfg.sessionMax,
		Lockout:            auth.LockoutPolicy{MaxFailures: cfg.lockoutFailures, Duration: cfg.lockoutFor},
		Cookie:             cookie,
		SeparationOfDuties: cfg.separation,
	})
	logger.Info("administrative duties", "separated", cfg.separation)
	if cfg.demo {
		if a.demoLoaded, err = loadDemo(ctx, db, a.auth); err != nil {
			return nil, closeAfter(db, err)
		}
	}
	if err := rebuildSearchIfEmpty(ctx, db, logger); err != nil {
		return nil, closeAfter(db, err)
	}
	demoLeft := newDemoCheck(a.auth, cfg.db.postgres(), logger)
	if err := demoLeft.warnAtStart(ctx); err != nil {
		return nil, closeAfter(db, err)
	}
	key, err := auth.LoadOrCreateKey(filepath.Join(cfg.db.DataDir, "csrf.key"))
	if err != nil {
		return nil, closeAfter(db, err)
	}
	csrf, err := auth.NewCSRF(key, cookie.Read)
	if err != nil {
		return nil, closeAfter(db, err)
	}
	csrf.Cookie = cookie
	frame := web.NewFrame()
	orgRoutes, err := orgweb.Routes(orgs, frame)
	if err != nil {
		return nil, closeAfter(db, err)
	}
	now := cfg.now
	if now == nil {
		now = time.Now
	}
	cals := caldb.New(db)
	calRoutes, err := calweb.Routes(cals, calweb.Options{CSRFToken: csrf.Token, Frame: frame, Now: now})
	if err != nil {
		return nil, closeAfter(db, err)
	}
	accountRoutes, err := authweb.Routes(a.auth, orgs, frame)
	if err != nil {
		return nil, closeAfter(db, err)
	}
	cat := newCatalogue(db, cals)
	wholeLog := func(r *http.Request) (string, error) { return org.TopPath(r.Context(), db) }
	a.notes = notifydb.New(db)
	notifyRoutes, err := notifyweb.Routes(a.notes, notifyweb.Options{Frame: frame, TopPath: wholeLog})
	if err != nil {
		return nil, closeAfter(db, err)
	}
	if a.deliverer, err = cfg.notify.deliverer(a, logger); err != nil {
		return nil, closeAfter(db, err)
	}
	a.docs = documentdb.New(db, documentdb.Options{PublicURL: documentsURL(cfg), Now: now})
	a.cases = caseworkdb.New(db, cals, caseworkdb.CatalogItems{Cat: cat}, caseworkdb.Options{Now: now, Documents: a.docs})
	if err := a.cases.StoreShipped(ctx); err != nil {
		return nil, closeAfter(db, err)
	}
	if a.demoLoaded {
		// The demo's seal keeper enabled every body's seal before its
		// cases were registered: their documents bear it (H8).
		if err := a.docs.EnableDemoSeals(ctx, "seal1"); err != nil {
			return nil, closeAfter(db, err)
		}
		start := time.Now()
		n, err := a.cases.DemoCases(ctx, now(), cfg.demoCases)
		if err != nil {
			return nil, closeAfter(db, fmt.Errorf("%s: %w", t("qingdan.generating_the_demo_cases_failed"), err))
		}
		logger.Info("demo cases", "cases", n, "took", time.Since(start))
		if _, err := a.cases.DemoPosts(ctx); err != nil {
			return nil, closeAfter(db, fmt.Errorf("%s: %w", t("qingdan.naming_the_demo_s_ab_posts_failed"), err))
		}
	}
	if a.files, err = openAttachments(ctx, cfg, db, now); err != nil {
		return nil, closeAfter(db, err)
	}
	casePages, err := caseworkweb.PageRoutes(a.cases, caseworkweb.PageOptions{Frame: frame, Documents: documentweb.Links{Svc: a.docs},
		Attachments: attachweb.CaseFiles{Svc: a.files}, MaxUpload: attachweb.MaxUpload})
	if err != nil {
		return nil, closeAfter(db, err)
	}
	attachRoutes, err := attachweb.Routes(a.files, frame)
	if err != nil {
		return nil, closeAfter(db, err)
	}
	documentRoutes, err := documentweb.Routes(a.docs, frame)
	if err != nil {
		return nil, closeAfter(db, err)
	}
	flowRoutes, err := flowweb.Routes(a.cases, flowweb.Options{Frame: frame})
	if err != nil {
		return nil, closeAfter(db, err)
	}
	clocks := caldb.NewClocks(db, cals)
	clocks.SetNow(now)
	a.sup = supervisedb.New(a.cases, clocks, supervisedb.Options{Now: now})
	if a.demoLoaded {
		if err := demoRectifications(ctx, a); err != nil {
			return nil, closeAfter(db, err)
		}
	}
	superviseRoutes, err := superviseweb.Routes(a.sup, frame)
	if err != nil {
		return nil, closeAfter(db, err)
	}
	catRoutes, err := catalogRoutes(cat, frame)
	if err != nil {
		return nil, closeAfter(db, err)
	}
	tiered, err := complaintTiers(ctx, db, cfg.complaintTiers)
	if err != nil {
		return nil, closeAfter(db, err)
	}
	a.complaints = complaintdb.New(db, cals, complaintdb.Options{Now: now, Documents: a.docs, Rules: func(bodyID int64) complaint.Rules {
		r := complaint.DefaultRules()
		r.Tiered = tiered[bodyID]
		return r
	}})
	if a.demoLoaded && cfg.demoCases > 0 {
		n, err := complaintdb.DemoComplaints(ctx, db, cals, a.docs, now(), 36)
		if err != nil {
			return nil, closeAfter(db, fmt.Errorf("%s: %w", t("qingdan.generating_the_demo_complaints_failed"), err))
		}
		logger.Info("demo complaints", "complaints", n)
	}
	complaintRoutes, err := complaintweb.RoutesWith(a.complaints, frame, complaintweb.Options{Files: attachweb.Evidence{Svc: a.files}})
	if err != nil {
		return nil, closeAfter(db, err)
	}
	a.ratings, a.publicURL = ratingdb.New(a.cases, ratingdb.Options{Now: now}), cfg.publicURL
	ratingRoutes, err := ratingweb.Routes(a.ratings, a.cases, frame, cfg.publicURL)
	if err != nil {
		return nil, closeAfter(db, err)
	}
	records := accountabilitydb.New(db, now)
	accountabilityRoutes, err := accountabilityweb.Routes(records, frame)
	if err != nil {
		return nil, closeAfter(db, err)
	}
	if a.demoLoaded {
		n, err := demoRatingsAndRecords(ctx, db, a.ratings, records)
		if err != nil {
			return nil, closeAfter(db, err)
		}
		logger.Info("demo ratings", "ratings", n)
	}
	routes := [][]httpx.Route{api.AuditRoutes(db), api.AuditEventRoutes(db, wholeLog), orgRoutes, calRoutes,
		accountRoutes, catRoutes, notifyRoutes, caseworkweb.Routes(a.cases), casePages,
		superviseRoutes, complaintRoutes, ratingRoutes, accountabilityRoutes, flowRoutes, documentRoutes, attachRoutes}
	pageMemory := int(cfg.pageMemoryMB)
	if pageMemory == 0 {
		pageMemory = -1 // web.Config: none
	}
	srv, err := web.New(web.Config{Version: version, Cookie: cookie, ClientIPHeader: cfg.clientIPHeader, PortalPageMemoryMB: pageMemory,
		MetricsFrom: []netip.Prefix(cfg.metricsFrom), MetricsToken: cfg.metricsToken, MaxImports: cfg.maxImports, PublicURL: cfg.publicURL,
		BodyTimeout: cfg.bodyTimeout, BodyMinRate: cfg.bodyMinRateKiB << 10},
		web.Deps{Logger: logger, Sessions: a.auth, Auth: a.auth, CSRF: csrf, DB: pinger{db}, Audit: db,
			Frame: frame, Notices: allNotices(calendarNotices(cals, now, logger), demoLeft.notices), Badges: inboxBadge(a.notes, logger),
			Portal: web.NewPortal(db, cat), ToDos: []web.ToDoSource{catweb.ToDos(cat), caseToDos(a.cases), complaintToDos(a.complaints), rectificationToDos(a.sup, now)},
			Routes: concatRoutes(routes...)})
	if err != nil {
		return nil, closeAfter(db, err)
	}
	csrf.Deny = srv.Deny
	a.handler, a.web, a.orgs = srv, srv, orgs
	return a, nil
}

// rebuildSearchIfEmpty fills the public search index when the list has
// published items but the index has none: a database published before the
// index existed, or restored without it.
func rebuildSearchIfEmpty(ctx context.Context, db *store.DB, logger *slog.Logger) error {
	need, err := catsearch.NeedsRebuild(ctx, db)
	if err != nil || !need {
		return err
	}
	start := time.Now()
	n, err := catsearch.Rebuild(ctx, db)
	if err != nil {
		return fmt.Errorf("%s: %w", t("qingdan.rebuilding_the_search_index_failed"), err)
	}
	logger.Info("search index rebuilt", "items", n, "took", time.Since(start))
	return nil
}

// calendarNotices shows administrators the missing-year banner (L9) on
// every page, linking to the year's entry form. A failure to read the
// calendar only costs the banner.
func calendarNotices(cals *caldb.Service, now func() time.Time, logger *slog.Logger) web.Notices {
	return func(ctx context.Context, p access.Principal, lang string) []web.Notice {
		ns, err := cals.Notices(ctx, p, now())
		if err != nil {
			logger.Error("calendar notices", "err", err)
			return nil
		}
		out := make([]web.Notice, len(ns))
		for i, n := range ns {
			out[i] = web.Notice{Text: n.Message(lang), Link: n.Link, Action: n.Action(lang)}
		}
		return out
	}
}

// allNotices shows the banners of every source, in order.
func allNotices(sources ...web.Notices) web.Notices {
	return func(ctx context.Context, p access.Principal, lang string) []web.Notice {
		var out []web.Notice
		for _, n := range sources {
			out = append(out, n(ctx, p, lang)...)
		}
		return out
	}
}

func concatRoutes(lists ...[]httpx.Route) []httpx.Route {
	var out []httpx.Route
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// loadDemo loads the demo body when the database has no organisation yet,
// or completes a demo load that was interrupted (org's demo.begun without
// demo.loaded: missing accounts, the rest of the catalogue); it reports
// whether it loaded anything. A complete demo, or real data, is left alone.
func loadDemo(ctx context.Context, db *store.DB, accounts org.AccountCreator) (bool, error) {
	done, err := org.DemoLoaded(ctx, db)
	if err != nil || done {
		return false, err
	}
	err = org.LoadDemo(ctx, db, accounts)
	if apperr.CodeOf(err) == apperr.Conflict {
		return false, nil // real data (or a demo loaded before the markers): left alone
	}
	if err != nil {
		return false, fmt.Errorf("%s: %w", t("qingdan.loading_the_demo_failed"), err)
	}
	if _, err := catdb.ResumeDemo(ctx, newCatalogue(db, caldb.New(db))); err != nil {
		return false, fmt.Errorf("%s: %w", t("qingdan.loading_the_demo_list_failed"), err)
	}
	if err := org.MarkDemoLoaded(ctx, db); err != nil {
		return false, err
	}
	return true, nil
}

func printDemoAccounts(w io.Writer) {
	fmt.Fprintf(w, "\n%s\n", t("qingdan.demo_accounts_password", org.DemoPassword))
	for _, a := range org.DemoAccounts() {
		roles := make([]string, len(a.Roles))
		for i, r := range a.Roles {
			roles[i] = string(r)
		}
		fmt.Fprintf(w, "  %-14s %-10s %s %s\n", a.Login, a.Name, a.Body, strings.Join(roles, ","))
	}
	fmt.Fprintln(w)
}

// background runs periodic upkeep until ctx ends: signing a checkpoint when
// the log grew (so proofs can be checked against a recent signed head) and
// purging expired sessions.
func (a *app) background(ctx context.Context) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		if _, err := a.db.LatestCheckpoint(ctx); err != nil && ctx.Err() == nil {
			a.log.Error("signing a checkpoint", "err", err)
		}
		if _, err := a.auth.PurgeSessions(ctx); err != nil && ctx.Err() == nil {
			a.log.Error("purging sessions", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// deemAccept runs deemed acceptance (L2) every minute under its lease: a
// case comes due at a midnight, so a minute is as late as it acts.
func (a *app) deemAccept(ctx context.Context) {
	if err := a.cases.RunDeemAccept(ctx, time.Minute); err != nil && !errors.Is(err, context.Canceled) {
		a.log.Error("deemed acceptance stopped", "err", err)
	}
}

// supervise runs e-supervision (issue #16): the sweep of due clocks every
// 15 s under its lease (a card's instant is its rule's whatever the
// sweep's delay) and the consumer of committed case events.
func (a *app) supervise(ctx context.Context) {
	go func() {
		if err := a.sup.RunConsumer(ctx); err != nil && !errors.Is(err, context.Canceled) {
			a.log.Error("supervision consumer stopped", "err", err)
		}
	}()
	if err := a.sup.RunSweep(ctx, 15*time.Second); err != nil && !errors.Is(err, context.Canceled) {
		a.log.Error("supervision sweep stopped", "err", err)
	}
}

// noticesDelivered records on each case when its applicant's completion
// notice was delivered (H7 counts from the delivery): the consumer of the
// outbox's delivery events.
func (a *app) noticesDelivered(ctx context.Context) {
	if err := a.cases.RunDelivered(ctx); err != nil && !errors.Is(err, context.Canceled) {
		a.log.Error("notice deliveries stopped", "err", err)
	}
}

// inviteRatings sends each completed case's applicant the rating link
// (L8) through the outbox: the consumer of committed case events.
func (a *app) inviteRatings(ctx context.Context) {
	if err := a.ratings.RunInviteConsumer(ctx, a.publicURL); err != nil && !errors.Is(err, context.Canceled) {
		a.log.Error("rating invitations stopped", "err", err)
	}
}

// pinger answers /readyz: the database is reachable.
type pinger struct{ db *store.DB }

func (p pinger) Ping(ctx context.Context) error {
	var one int
	return p.db.QueryRow(ctx, "SELECT 1").Scan(&one)
}

// prepareDataDir creates the data directory and, for SQLite, the database
// file's directory, so `make run` works on a fresh clone.
func prepareDataDir(c *dbConfig) error {
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return fmt.Errorf("%s: %w", t("qingdan.cannot_create_the_data_directory"), err)
	}
	if !c.postgres() {
		path := strings.TrimPrefix(strings.TrimPrefix(c.DSN, "sqlite:"), "file:")
		if i := strings.IndexByte(path, '?'); i >= 0 {
			path = path[:i]
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return fmt.Errorf("%s: %w", t("qingdan.cannot_create_the_database_directory"), err)
		}
	}
	return nil
}

// complaintTiers reads --complaint-tiers: the ids of the bodies named by
// code, each of which must exist.
func complaintTiers(ctx context.Context, db *store.DB, codes string) (map[int64]bool, error) {
	out := map[int64]bool{}
	for _, code := range strings.Split(codes, ",") {
		if code = strings.TrimSpace(code); code == "" {
			continue
		}
		var id int64
		err := db.QueryRow(ctx, `SELECT id FROM bodies WHERE code = ?`, code).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, errors.New(t("qingdan.complaint_tiers_no_body_has_the_code", code))
		}
		if err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, nil
}

// documentsURL is the public address documents' QR codes lead to: the
// configured one (flag parsing fills it from --addr when unset), else the
// listening address.
func documentsURL(cfg *serveConfig) string {
	switch {
	case cfg.publicURL != "":
		return cfg.publicURL
	case cfg.addr != "" && !strings.HasPrefix(cfg.addr, ":"):
		return "http://" + cfg.addr
	}
	return "http://localhost" + cfg.addr
}
