package bench_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/shopstack/shopstack/app/httpapi"
	"github.com/shopstack/shopstack/app/postgres"
	"github.com/shopstack/shopstack/app/shop"
	"github.com/shopstack/shopstack/internal/pgtest"
)

// Workload knobs; the defaults are what app/README.md reports.
var (
	clients = envInt("BENCH_CLIENTS", 32) // concurrent buyers in both phases
	reads   = envInt("BENCH_READS", 8000) // product GETs
	// conns sizes the one pool both paths share. A pool smaller than the number of buyers
	// queues them in the pool instead of on the hot row's lock, which helps both paths.
	conns = envInt("BENCH_CONNS", clients+4)
)

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

type env struct {
	store  *postgres.Store
	srv    *httptest.Server
	users  []shop.User
	client []*http.Client
}

func setup(b *testing.B) *env {
	b.Helper()
	ctx := context.Background()
	dbURL := pgtest.NewDatabase(b)
	log := slog.New(slog.NewJSONHandler(io.Discard, nil)) // request logs are produced, then dropped
	// One pool for both phases, by default sized to the concurrency so neither waits for a connection.
	// Every buyer registers from 127.0.0.1, so the per-IP registration limit is lifted.
	store, err := postgres.Open(ctx, dbURL, int32(conns), log, postgres.WithRegistrationLimit(1_000_000, time.Hour))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(store.Close)
	if _, err := store.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	e, err := httpapi.New(httpapi.Config{Products: store, Search: store, Accounts: store, Orders: store, Readiness: store, Log: log})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(httpapi.NewServer("", e, log).Handler)
	b.Cleanup(srv.Close)

	en := &env{store: store, srv: srv}
	transport := &http.Transport{MaxIdleConns: clients * 2, MaxIdleConnsPerHost: clients * 2}
	for i := range clients {
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar, Transport: transport, Timeout: time.Minute}
		body := fmt.Sprintf(`{"email":"buyer%d@bench.example.com","password":"benchmark password","name":"Buyer %d"}`, i, i)
		res, err := c.Post(srv.URL+"/api/auth/register", "application/json", bytes.NewBufferString(body))
		if err != nil {
			b.Fatal(err)
		}
		var u shop.User
		if res.StatusCode != http.StatusCreated {
			b.Fatalf("register: %d", res.StatusCode)
		}
		res.Body.Close()
		me, _, err := store.Login(ctx, shop.Credentials{Email: fmt.Sprintf("buyer%d@bench.example.com", i), Password: "benchmark password"}, "127.0.0.1")
		if err != nil {
			b.Fatal(err)
		}
		u = me
		en.users = append(en.users, u)
		en.client = append(en.client, c)
	}
	return en
}

// result of one phase.
type result struct {
	ok, failed int64
	elapsed    time.Duration
	lat        []time.Duration
}

func (r result) perSecond() float64 { return float64(r.ok) / r.elapsed.Seconds() }

func (r result) pct(p float64) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	return r.lat[int(p*float64(len(r.lat)-1))]
}

// drive runs n operations from `clients` goroutines and collects latencies.
func drive(n int, op func(client, i int) error) result { return driveN(clients, n, op) }

// rawOrderSQL is the floor: one autocommitted statement that decrements the hot SKU and records
// the order and its line, with no idempotency, session, HTTP or JSON.
const rawOrderSQL = `
	WITH d AS (
		UPDATE products SET stock = stock - 1 WHERE id = $1 AND stock >= 1
		RETURNING id, sku, name, price_cents, currency
	), o AS (
		INSERT INTO orders (id, user_id, status, total_cents, currency, created_at)
		SELECT gen_random_uuid(), $2, 'placed', price_cents, currency, now() FROM d
		RETURNING id
	)
	INSERT INTO order_items (order_id, product_id, sku, name, quantity, unit_price_cents)
	SELECT o.id, d.id, d.sku, d.name, 1, d.price_cents FROM o, d`

// merge adds the orders, time and latencies of one round to a phase's total.
func (r *result) merge(o result) {
	r.ok += o.ok
	r.failed += o.failed
	r.elapsed += o.elapsed
	r.lat = append(r.lat, o.lat...)
}

func BenchmarkCatalogRead(b *testing.B) {
	en := setup(b)
	if _, _, err := en.store.SeedProducts(context.Background(), shop.DemoCatalog()); err != nil {
		b.Fatal(err)
	}
	page, err := en.store.SearchProducts(context.Background(), shop.ProductQuery{Sort: shop.SortName, Limit: 100})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		get := func(c, i int) error {
			return getOK(en.client[c], en.srv.URL+"/api/products/"+page.Items[i%len(page.Items)].ID)
		}
		drive(500, get)
		r := drive(reads, get)
		if r.failed > 0 {
			b.Fatalf("%d product reads failed", r.failed)
		}
		fmt.Printf("\nCatalog read: GET /api/products/{id}, %d requests, %d concurrent clients\n", reads, clients)
		fmt.Printf("  %10.0f req/s   p50 %s   p99 %s\n\n", r.perSecond(), r.pct(0.50).Round(time.Microsecond), r.pct(0.99).Round(time.Microsecond))
		b.ReportMetric(r.perSecond(), "req/s")
		b.ReportMetric(float64(r.pct(0.50).Microseconds()), "p50-µs")
		b.ReportMetric(float64(r.pct(0.99).Microseconds()), "p99-µs")
	}
}

// getOK GETs url, drains the body and wants 200.
func getOK(client *http.Client, url string) error {
	res, err := client.Get(url)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", res.StatusCode)
	}
	return nil
}
