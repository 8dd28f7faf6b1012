package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/shopstack/shopstack/app/lambdaurl"
	"github.com/shopstack/shopstack/app/postgres"
	"github.com/shopstack/shopstack/app/telemetry"
	"github.com/shopstack/shopstack/app/wake"
)

// LambdaMaxConns is SHOP_DB_MAX_CONNS under Lambda when unset, and the most it may be there: an
// instance handles one event at a time, and the work event's River client needs a second
// connection beside its job's; more would only multiply the database's connections by the
// function's concurrency.
const LambdaMaxConns = 2

// lambdaMode reports whether the process was started by the Lambda runtime without a subcommand:
// as the zip's `bootstrap` (provided.al2023), or with AWS_LAMBDA_RUNTIME_API set.
func lambdaMode(argv0 string, args []string, getenv func(string) string) bool {
	if len(args) > 0 {
		return false
	}
	return filepath.Base(argv0) == "bootstrap" || getenv("AWS_LAMBDA_RUNTIME_API") != ""
}

// checkLambdaConfig applies the Lambda defaults and limits on top of loadConfig's checks.
func checkLambdaConfig(cfg *config, getenv func(string) string) error {
	if getenv("SHOP_DB_MAX_CONNS") == "" {
		cfg.MaxConns = LambdaMaxConns
	}
	if cfg.MaxConns > LambdaMaxConns {
		return fmt.Errorf("SHOP_DB_MAX_CONNS=%d: under Lambda want 1 or %d (one event at a time per instance)", cfg.MaxConns, LambdaMaxConns)
	}
	if cfg.SiteDir != "" {
		return errors.New("SHOP_SITE_DIR: under Lambda the storefront is served by CloudFront from its bucket; leave it unset")
	}
	if cfg.Media.Bucket == "" && getenv("SHOP_MEDIA_DIR") == "" {
		return errors.New("SHOP_MEDIA_BUCKET: under Lambda pictures and invoices go to the media bucket (the function's disk is not kept); set it, or SHOP_MEDIA_DIR for a test")
	}
	// Both need a long-lived process: group commit batches concurrent orders (an instance has one
	// request at a time), and the sold-out set's LISTEN connection would keep Aurora from pausing
	// and miss notifications while the instance is frozen.
	for _, name := range []string{"SHOP_GROUP_COMMIT", "SHOP_SOLD_OUT_FAST_PATH"} {
		if getenv(name) == "on" {
			return fmt.Errorf("%s=on: not under Lambda, which has no long-lived process (it is off there)", name)
		}
	}
	cfg.Flash.Group.Off, cfg.Flash.SoldOut = true, false
	if cfg.Search.Memory {
		return errors.New("SHOP_SEARCH_MEMORY=true: not under Lambda: the in-process copy is refreshed by a loop of serve's, which a frozen instance does not run (every search would fall back to the statement)")
	}
	if cfg.Payments.on() {
		// The unpaid-order expiry is a River periodic job, enqueued by a long-lived client's leader:
		// a work event's short-lived client would rarely get to it, and the work marker cannot see it.
		return errors.New("SHOP_STRIPE_SECRET_KEY: card payments are not available under Lambda (the expiry of unpaid orders needs a long-lived process); take them on serve")
	}
	if v := strings.TrimSpace(getenv("SHOP_WORK_MARKER")); v != "" {
		if _, _, err := wake.ParseURL(v); err != nil {
			return fmt.Errorf("SHOP_WORK_MARKER=%w", err)
		}
		if getenv("AWS_REGION") == "" {
			return errors.New("SHOP_WORK_MARKER needs AWS_REGION, the bucket's region (Lambda sets it)")
		}
		cfg.WorkMarker = v
	}
	return nil
}

// openMarker is the work event's mark (app/wake) at SHOP_WORK_MARKER, nil when unset. The S3
// client takes the default credential chain (the function's role) and AWS_ENDPOINT_URL_S3.
func openMarker(ctx context.Context, raw string, getenv func(string) string) (*wake.Marker, error) {
	if raw == "" {
		return nil, nil
	}
	bucket, key, err := wake.ParseURL(raw)
	if err != nil {
		return nil, err
	}
	aws, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(getenv("AWS_REGION")))
	if err != nil {
		return nil, fmt.Errorf("SHOP_WORK_MARKER: load AWS config: %w", err)
	}
	pathStyle := getenv("AWS_ENDPOINT_URL_S3") != ""
	return wake.New(s3.NewFromConfig(aws, func(o *s3.Options) { o.UsePathStyle = pathStyle }), bucket, key), nil
}

// lambdaEvent is any event the function accepts; exactly one kind is set.
type lambdaEvent struct {
	Work    *workRequest `json:"shop_work"`
	Migrate *struct{}    `json:"shop_migrate"`
	// A Function URL event (payload format 2.0) has a version and requestContext.http.
	Version        string `json:"version"`
	RequestContext struct {
		HTTP struct {
			Method string `json:"method"`
		} `json:"http"`
	} `json:"requestContext"`
}

// lambdaApp holds what a warm instance keeps between events. The database is reached on the first
// event, not during the init phase (bounded to 10 s, shorter than an Aurora resume from 0 ACU), and
// a failed attempt is retried by the next event.
type lambdaApp struct {
	cfg   config
	log   *slog.Logger
	flush func(context.Context) error
	// marker is when the next work event needs the database (SHOP_WORK_MARKER); nil: every
	// work event connects.
	marker *wake.Marker
	// jobsSeen is the highest job id this instance has advanced the marker for.
	jobsSeen int64

	mu    sync.Mutex
	store *postgres.Store
	svc   *service
}

// runLambda serves events from the Lambda runtime API until the process is ended.
func runLambda(ctx context.Context, cfg config, log *slog.Logger) error {
	flush, err := telemetry.SetupEMF(ctx, os.Stdout)
	if err != nil {
		return err
	}
	marker, err := openMarker(ctx, cfg.WorkMarker, os.Getenv)
	if err != nil {
		return err
	}
	a := &lambdaApp{cfg: cfg, log: log, flush: flush, marker: marker}
	log.Info("lambda: waiting for events", "db_max_conns", cfg.MaxConns, "work_marker", cfg.WorkMarker)
	lambda.StartWithOptions(a.handle, lambda.WithContext(ctx))
	return nil
}

// handle answers one event and then writes the metrics it produced.
func (a *lambdaApp) handle(ctx context.Context, raw json.RawMessage) (any, error) {
	defer func() {
		if err := a.flush(context.WithoutCancel(ctx)); err != nil {
			a.log.Warn("lambda: metrics", "err", err)
		}
	}()
	var ev lambdaEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		return nil, fmt.Errorf("lambda: event is not a JSON object: %w", err)
	}
	switch {
	case ev.Work != nil:
		return a.work(ctx, *ev.Work)
	case ev.Migrate != nil:
		return a.migrate(ctx)
	case ev.Version == "2.0" && ev.RequestContext.HTTP.Method != "":
		var req events.LambdaFunctionURLRequest
		if err := json.Unmarshal(raw, &req); err != nil {
			return nil, fmt.Errorf("lambda: Function URL event: %w", err)
		}
		return a.serveURL(ctx, req)
	}
	return nil, errors.New(`lambda: unrecognised event: want a Function URL event (payload format 2.0), {"shop_work":{"max_seconds":N}} or {"shop_migrate":{}}`)
}

// serveURL answers a Function URL event through the shared handler; while the database cannot
// be reached it answers 503 unavailable with Retry-After, which the storefront retries.
func (a *lambdaApp) serveURL(ctx context.Context, req events.LambdaFunctionURLRequest) (events.LambdaFunctionURLResponse, error) {
	svc, err := a.service(ctx)
	if err != nil {
		a.log.Warn("lambda: not ready", "err", err)
		return unavailable(), nil
	}
	acquired := a.store.Pool().Stat().AcquireCount()
	res, err := lambdaurl.Serve(ctx, svc.handler, req)
	if a.store.Pool().Stat().AcquireCount() != acquired {
		a.noteJobs(ctx)
	}
	return res, err
}

// noteJobsBudget bounds noteJobs: one query, and an S3 read and write with a retry or two.
const noteJobsBudget = 3 * time.Second

// noteJobs advances the work marker when the request just answered may have left a new job
// (it used the database, and the highest unfinished job id is one this instance has not
// advanced for), so the next tick connects and runs it. The database is awake: the request used
// it. A failure is logged, and the job waits for the marker's time, at most wake.QuietHorizon.
func (a *lambdaApp) noteJobs(ctx context.Context) {
	if a.marker == nil {
		return
	}
	// The request's context may be at its deadline already; the job is committed either way.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), noteJobsBudget)
	defer cancel()
	next, maxID, ok, err := a.store.PendingJobs(ctx)
	if err != nil || !ok || maxID <= a.jobsSeen {
		if err != nil {
			a.log.Warn("work marker: pending jobs", "err", err)
		}
		return
	}
	if err := a.marker.Advance(ctx, next); err != nil {
		a.log.Warn("work marker: advance", "err", err, "due", next)
		return
	}
	a.jobsSeen = maxID
}

// unavailable is the repository's 503 error shape, as httpapi answers during a database outage.
func unavailable() events.LambdaFunctionURLResponse {
	return events.LambdaFunctionURLResponse{StatusCode: http.StatusServiceUnavailable,
		Headers: map[string]string{"Content-Type": "application/json", "Retry-After": "5", "Cache-Control": "no-store",
			"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "default-src 'none'"},
		Body: `{"error":{"code":"unavailable","message":"the service is starting, try again shortly","details":[]}}`}
}

// connect returns the instance's store, connecting on first use. The wait for the database is
// SHOP_DB_WAIT, cut to what the invocation has left less a second to answer.
func (a *lambdaApp) connect(ctx context.Context) (*postgres.Store, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.store != nil {
		return a.store, nil
	}
	wait := a.cfg.DBWait
	if dl, ok := ctx.Deadline(); ok {
		wait = min(wait, time.Until(dl)-time.Second)
	}
	if wait <= 0 {
		return nil, errors.New("lambda: no time left in this invocation to reach the database")
	}
	password, err := passwordSource(ctx, a.cfg)
	if err != nil {
		return nil, err
	}
	store, err := postgres.Connect(ctx, postgres.Options{URL: a.cfg.DatabaseURL, MaxConns: a.cfg.MaxConns,
		Wait: wait, Password: password, Log: a.log}, append(a.cfg.Abuse.storeOptions(), a.cfg.Flash.storeOptions()...)...)
	if err != nil {
		return nil, fmt.Errorf("%w (waited %s)", err, wait.Round(time.Millisecond))
	}
	a.store = store
	return store, nil
}

// service returns the instance's handler, building it on first use once the schema is current.
func (a *lambdaApp) service(ctx context.Context) (*service, error) {
	store, err := a.connect(ctx)
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.svc != nil {
		return a.svc, nil
	}
	v, err := store.CheckSchema(ctx)
	if err != nil {
		return nil, err
	}
	svc, err := newService(ctx, store, a.cfg, a.log)
	if err != nil {
		return nil, err
	}
	a.log.Info("lambda: ready", "schema_version", v)
	a.svc = svc
	return svc, nil
}

// migrateResult is the answer to {"shop_migrate":{}}.
type migrateResult struct {
	Version int32  `json:"version"`
	AppRole string `json:"app_role"`
}

// migrate is `shop migrate` as an event: the stack invokes it once per deploy (see app/README.md).
func (a *lambdaApp) migrate(ctx context.Context) (migrateResult, error) {
	store, err := a.connect(ctx)
	if err != nil {
		return migrateResult{}, err
	}
	v, err := store.Migrate(ctx)
	if err != nil {
		return migrateResult{}, err
	}
	if err := store.EnsureAppRole(ctx, a.cfg.AppRole); err != nil {
		return migrateResult{}, err
	}
	a.log.Info("migrated", "version", v, "app_role", a.cfg.AppRole)
	return migrateResult{Version: v, AppRole: a.cfg.AppRole}, nil
}
