package bench_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/shopstack/shopstack/app/cache"
	"github.com/shopstack/shopstack/app/httpapi"
	"github.com/shopstack/shopstack/app/postgres"
	"github.com/shopstack/shopstack/app/redis"
	"github.com/shopstack/shopstack/app/shop"
	"github.com/shopstack/shopstack/internal/pgtest"
	"github.com/shopstack/shopstack/internal/redistest"
)

// hotProducts is how many products the hot-product benchmark reads; warmup GETs precede the
// measured ones (connections, first reads) and count for transactions, not latency.
const (
	hotProducts = 10
	warmup      = 500
)

// BenchmarkHotProductCache: anonymous GET /api/products/{id} on 10 products from `clients`
// clients, served as cmd/shop serves it, without a cache (cache.None) and with Redis. It
// reports PostgreSQL transactions per GET from pg_stat_database.xact_commit, read before and
// after with every service connection closed (a backend flushes its counters when it exits),
// so nothing is counted late. The Redis is a private redis-server (BENCH_CACHE_URL: another).
func BenchmarkHotProductCache(b *testing.B) {
	ctx := context.Background()
	dbURL := pgtest.NewDatabase(b)
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	ids := seedHot(b, dbURL, log)
	cacheURL := os.Getenv("BENCH_CACHE_URL")
	if cacheURL == "" {
		cacheURL = "redis://" + redistest.Start(b, redistest.Options{}).Addr()
	}
	// The cache's warnings (its breaker opening) are shown: they explain a phase's figures.
	rc, err := redis.Open(redis.Config{URL: cacheURL, Log: slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = rc.Close() })
	if err := rc.Ping(ctx); err != nil {
		b.Fatal(err)
	}
	transport := &http.Transport{MaxIdleConns: clients * 2, MaxIdleConnsPerHost: clients * 2}
	client := &http.Client{Transport: transport, Timeout: time.Minute}

	for b.Loop() {
		for _, ph := range []struct {
			name, path string
			c          cache.Cache // nil: the store without decorators
		}{
			{"floor: GET /api/healthz, no database", "/api/healthz", cache.None{}},
			{"PostgreSQL, no decorator", "/api/products/", nil},
			{"no cache (cache.None: coalescing only)", "/api/products/", cache.None{}},
			{"Redis", "/api/products/", rc},
		} {
			before := xactCommits(b, dbURL)
			r := serveHot(b, dbURL, conns, log, ph.c, func(url string, n int) result {
				return drive(n, func(_, i int) error {
					u := url + ph.path
					if ph.path == "/api/products/" {
						u += ids[i%len(ids)]
					}
					res, err := client.Get(u)
					if err != nil {
						return err
					}
					_, _ = io.Copy(io.Discard, res.Body)
					_ = res.Body.Close()
					if res.StatusCode != http.StatusOK {
						return fmt.Errorf("status %d", res.StatusCode)
					}
					return nil
				})
			})
			// Over every GET, the cold start and the warm-up included. The reading connections'
			// own few transactions are counted too (under 0.001 per GET).
			xacts := float64(xactCommits(b, dbURL)-before) / float64(warmup+reads)
			if r.failed > 0 {
				b.Fatalf("%s: %d reads failed", ph.name, r.failed)
			}
			fmt.Printf("Hot product read, %d products, %d requests, %d clients: %s\n", hotProducts, reads, clients, ph.name)
			fmt.Printf("  %10.0f req/s   p50 %s   p99 %s   %.4f PostgreSQL transactions per GET\n",
				r.perSecond(), r.pct(0.50).Round(time.Microsecond), r.pct(0.99).Round(time.Microsecond), xacts)
			if ph.c == rc {
				b.ReportMetric(r.perSecond(), "req/s")
				b.ReportMetric(float64(r.pct(0.99).Microseconds()), "p99-µs")
				b.ReportMetric(xacts, "pg-xact/GET")
			}
		}
	}
}

// seedHot creates the hot products with a pool that is closed again before measuring.
func seedHot(b *testing.B, dbURL string, log *slog.Logger) []string {
	ctx := context.Background()
	store, err := postgres.Open(ctx, dbURL, 4, log)
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	if _, err := store.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	var ids []string
	for i := range hotProducts {
		p, err := store.CreateProduct(ctx, shop.NewProduct{SKU: fmt.Sprintf("HOT-READ-%d", i), Name: fmt.Sprintf("Hot %d", i),
			PriceCents: 1000, Currency: "USD", Stock: 100, Category: "hot"})
		if err != nil {
			b.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	return ids
}

// serveHot runs the service with its own pool around load, then closes both.
func serveHot(b *testing.B, dbURL string, maxConns int, log *slog.Logger, c cache.Cache, load func(url string, n int) result) result {
	store, err := postgres.Open(context.Background(), dbURL, int32(maxConns), log)
	if err != nil {
		b.Fatal(err)
	}
	cfg := httpapi.Config{Products: store, Search: store, Accounts: store, Orders: store, Readiness: store, Log: log}
	if c != nil {
		products := cache.NewProducts(store, store, c)
		cfg.Products, cfg.Search, cfg.Accounts, cfg.Orders = products, products, cache.NewAccounts(store, c), cache.NewOrders(store, c)
	}
	e, err := httpapi.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(httpapi.NewServer("", e, log).Handler)
	w := load(srv.URL, warmup)
	r := load(srv.URL, reads)
	srv.Close()
	store.Close()
	time.Sleep(500 * time.Millisecond) // the pool's backends exit and flush their counters
	if w.failed > 0 {
		b.Fatalf("%d warm-up reads failed", w.failed)
	}
	return r
}

// xactCommits reads the database's committed transactions on a fresh connection, after the
// service's connections have exited and flushed their counters.
func xactCommits(b *testing.B, dbURL string) int64 {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int64
	if err := conn.QueryRow(ctx, "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()").Scan(&n); err != nil {
		b.Fatal(err)
	}
	return n
}
