package telemetry

import (
	"context"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// The shop's own metric names. The orders' are what the Api's alarms and the collector's EMF
// declarations read (components.OrdersPlacedMetric, components.OrdersRefusedMetric; a test
// keeps them equal): each carries service.name from the resource and, for refusals, reason.
const (
	OrdersPlacedMetric    = "orders.placed"
	OrdersRefusedMetric   = "orders.refused"
	CacheHitsMetric       = "cache.hits"
	CacheMissesMetric     = "cache.misses"
	LoginsThrottledMetric = "logins.throttled"
	// ReasonKey is the refusal's shop error code (insufficient_stock, invalid_input, ...).
	ReasonKey = attribute.Key("reason")
	// CacheKey names what was looked up: session, product or catalog; never the key itself.
	CacheKey = attribute.Key("cache")
)

// ScopeName is the instrumentation scope of the shop's own metrics and spans.
const ScopeName = "github.com/shopstack/shopstack/app"

// Instruments on the global meter: created now, they follow the provider Setup installs later.
var (
	meter           = otel.Meter(ScopeName)
	ordersPlaced    = counter(OrdersPlacedMetric, "{order}", "Orders accepted.")
	ordersRefused   = counter(OrdersRefusedMetric, "{order}", "Orders refused, by reason.")
	cacheHits       = counter(CacheHitsMetric, "{lookup}", "Cache lookups answered by the cache.")
	cacheMisses     = counter(CacheMissesMetric, "{lookup}", "Cache lookups that went to PostgreSQL.")
	loginsThrottled = counter(LoginsThrottledMetric, "{attempt}", "Login attempts refused by the throttle.")
)

func counter(name, unit, desc string) metric.Int64Counter {
	c, err := meter.Int64Counter(name, metric.WithUnit(unit), metric.WithDescription(desc))
	if err != nil {
		panic(err) // only for an invalid name, fixed above
	}
	return c
}

// OrderPlaced counts one accepted order.
func OrderPlaced(ctx context.Context) { ordersPlaced.Add(ctx, 1) }

// OrderRefused counts one refused order; reason is a shop error code, never user input.
func OrderRefused(ctx context.Context, reason string) {
	ordersRefused.Add(ctx, 1, metric.WithAttributes(ReasonKey.String(reason)))
}

// CacheLookup counts one cache lookup of kind (session, product, catalog) as a hit or a miss.
func CacheLookup(ctx context.Context, kind string, hit bool) {
	c := cacheMisses
	if hit {
		c = cacheHits
	}
	c.Add(ctx, 1, metric.WithAttributes(CacheKey.String(kind)))
}

// LoginThrottled counts one login attempt the throttle refused.
func LoginThrottled(ctx context.Context) { loginsThrottled.Add(ctx, 1) }

// JobsQueuedMetric is the background-job queue depth by state (available, scheduled, retryable,
// running), read from PostgreSQL at each collection. Failures are River's own
// `river.work_count{status="error"|"panic"}` (otelriver).
const JobsQueuedMetric = "jobs.queued"

// StateKey is a job state.
var StateKey = attribute.Key("state")

// RecordJobQueue publishes JobsQueuedMetric from count, which returns the number of jobs per
// state; a failed count skips that collection (the next one tries again).
func RecordJobQueue(count func(context.Context) (map[string]int64, error)) error {
	_, err := meter.Int64ObservableGauge(JobsQueuedMetric, metric.WithUnit("{job}"),
		metric.WithDescription("Background jobs waiting or running, by state."),
		metric.WithInt64Callback(func(ctx context.Context, o metric.Int64Observer) error {
			counts, err := count(ctx)
			if err != nil {
				return nil //nolint:nilerr // a missed sample, not a broken meter
			}
			for state, n := range counts {
				o.Observe(n, metric.WithAttributes(StateKey.String(state)))
			}
			return nil
		}))
	return err
}
