package bench_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/shopstack/shopstack/app/httpapi"
	"github.com/shopstack/shopstack/app/postgres"
	"github.com/shopstack/shopstack/app/shop"
	"github.com/shopstack/shopstack/internal/pgtest"
)

// Flash-sale knobs; the defaults are what app/README.md ("Flash sales") reports.
var (
	flashLevels  = envInts("BENCH_BUYERS", []int{1, 16, 64, 256})
	flashOrders  = envInt("BENCH_FLASH_ORDERS", 3000) // orders per path and level (the hot SKU's stock)
	flashRounds  = envInt("BENCH_FLASH_ROUNDS", 2)    // rounds per level, alternating the paths
	soldOutN     = envInt("BENCH_SOLDOUT_REQUESTS", 8000)
	soldOutLevel = envInt("BENCH_SOLDOUT_BUYERS", 64)
	// Pools: the one-transaction-per-order paths (raw and "today") need a connection per
	// waiting buyer; the grouped path needs few. Both stay under max_connections = 100 with the
	// other work on this server.
	todayConns   = envInt("BENCH_TODAY_CONNS", 36)
	groupedConns = envInt("BENCH_GROUPED_CONNS", 24)
	// groupWindow is the grouped service's SHOP_GROUP_COMMIT_WINDOW.
	groupWindow = envDuration("BENCH_GROUP_WINDOW", postgres.DefaultGroupWindow)
)

func envDuration(name string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv(name)); err == nil && d >= 0 {
		return d
	}
	return def
}

func envInts(name string, def []int) []int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	var out []int
	for _, f := range strings.Split(v, ",") {
		if n, err := strconv.Atoi(strings.TrimSpace(f)); err == nil && n > 0 {
			out = append(out, n)
		}
	}
	return out
}

// fastHasher stands in for argon2id so that registering 256 buyers takes no minutes of CPU;
// the benchmark never measures a login.
type fastHasher struct{}

func (fastHasher) Hash(p string) (string, error) {
	h := sha256.Sum256([]byte(p))
	return hex.EncodeToString(h[:]), nil
}
func (f fastHasher) Check(enc, p string) bool { h, _ := f.Hash(p); return h == enc }

// flashEnv is one database served twice: "today" places every order in a transaction of its
// own (SHOP_GROUP_COMMIT=off, SHOP_SOLD_OUT_FAST_PATH=off), "grouped" is the default.
type flashEnv struct {
	today, grouped       *postgres.Store
	todayURL, groupedURL string
	users                []shop.User
	cookies              []string
	client               *http.Client
}

func openServed(b *testing.B, dbURL string, conns int, log *slog.Logger, opts ...postgres.Option) (*postgres.Store, string) {
	b.Helper()
	opts = append(opts, postgres.WithRegistrationLimit(1_000_000, time.Hour),
		postgres.WithPasswordHasher(shop.NewBoundedHasher(fastHasher{}, 64, time.Second)))
	store, err := postgres.Open(context.Background(), dbURL, int32(conns), log, opts...)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(store.Close)
	e, err := httpapi.New(httpapi.Config{Products: store, Search: store, Accounts: store, Orders: store, Readiness: store, Log: log})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(httpapi.NewServer("", e, log).Handler)
	b.Cleanup(srv.Close)
	return store, srv.URL
}

func setupFlash(b *testing.B, buyers int) *flashEnv {
	b.Helper()
	ctx := context.Background()
	dbURL := pgtest.NewDatabase(b)
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	en := &flashEnv{}
	en.today, en.todayURL = openServed(b, dbURL, todayConns, log,
		postgres.WithGroupCommit(postgres.GroupCommit{Off: true}), postgres.WithSoldOutFastPath(false))
	if _, err := en.today.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	en.grouped, en.groupedURL = openServed(b, dbURL, groupedConns, log,
		postgres.WithGroupCommit(postgres.GroupCommit{Window: groupWindow, MaxBatch: postgres.DefaultGroupMaxBatch}))
	en.client = &http.Client{Timeout: time.Minute,
		Transport: &http.Transport{MaxIdleConns: 2 * buyers, MaxIdleConnsPerHost: 2 * buyers}}
	for i := range buyers {
		u, s, err := en.grouped.Register(ctx, shop.Registration{Email: fmt.Sprintf("flash%d@bench.example.com", i),
			Password: "benchmark password", Name: "Buyer"}, "127.0.0.1")
		if err != nil {
			b.Fatal(err)
		}
		en.users, en.cookies = append(en.users, u), append(en.cookies, "shop_session="+s.Token)
	}
	return en
}

func (en *flashEnv) product(b *testing.B, stock int) shop.Product {
	b.Helper()
	p, err := en.today.CreateProduct(context.Background(), shop.NewProduct{
		SKU: fmt.Sprintf("FLASH-%d", time.Now().UnixNano()), Name: "Flash T-shirt", PriceCents: 1999,
		Currency: "USD", Stock: stock, Category: "apparel"})
	if err != nil {
		b.Fatal(err)
	}
	return p
}

// driveN runs n operations from `buyers` goroutines and collects latencies.
func driveN(buyers, n int, op func(buyer, i int) error) result {
	var next, ok, failed atomic.Int64
	lats := make([][]time.Duration, buyers)
	var wg sync.WaitGroup
	start := time.Now()
	for c := range buyers {
		wg.Go(func() {
			for {
				i := next.Add(1) - 1
				if i >= int64(n) {
					return
				}
				t0 := time.Now()
				err := op(c, int(i))
				lats[c] = append(lats[c], time.Since(t0))
				if err != nil {
					failed.Add(1)
				} else {
					ok.Add(1)
				}
			}
		})
	}
	wg.Wait()
	r := result{ok: ok.Load(), failed: failed.Load(), elapsed: time.Since(start)}
	for _, l := range lats {
		r.lat = append(r.lat, l...)
	}
	slices.Sort(r.lat)
	return r
}

var errRefused = errors.New("refused")

func (en *flashEnv) raw(b *testing.B, buyers int, p shop.Product, n int) result {
	ctx := context.Background()
	return driveN(buyers, n, func(c, _ int) error {
		tag, err := en.today.Pool().Exec(ctx, rawOrderSQL, p.ID, en.users[c].ID)
		if err != nil {
			b.Error(err)
			return err
		}
		if tag.RowsAffected() != 1 {
			return errRefused
		}
		return nil
	})
}

// post places one order over HTTP; a 409 is errRefused, anything else but 201 fails the run.
func (en *flashEnv) post(b *testing.B, base string, c int, body []byte, key string) error {
	req, _ := http.NewRequest(http.MethodPost, base+"/api/orders", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Cookie", en.cookies[c])
	req.Header.Set("Idempotency-Key", key)
	res, err := en.client.Do(req)
	if err != nil {
		b.Error(err)
		return err
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	switch res.StatusCode {
	case http.StatusCreated:
		return nil
	case http.StatusConflict:
		return errRefused
	}
	b.Errorf("order: status %d", res.StatusCode)
	return fmt.Errorf("status %d", res.StatusCode)
}

func (en *flashEnv) http(b *testing.B, base string, buyers int, p shop.Product, n int) result {
	body := []byte(`{"items":[{"product_id":"` + p.ID + `","quantity":1}]}`)
	return driveN(buyers, n, func(c, i int) error {
		return en.post(b, base, c, body, fmt.Sprintf("bench-%s-%d", p.ID, i))
	})
}

// books fails the run unless the product sold exactly its stock to r's successful orders,
// ended at 0 and never below.
func books(b *testing.B, pool *pgxpool.Pool, p shop.Product, r result) {
	var remaining, sold int
	err := pool.QueryRow(context.Background(), `
		SELECT p.stock, coalesce((SELECT sum(quantity) FROM order_items WHERE product_id = p.id), 0)
		FROM products p WHERE p.id = $1`, p.ID).Scan(&remaining, &sold)
	if err != nil {
		b.Fatal(err)
	}
	if remaining != 0 || remaining+sold != p.Stock || int64(sold) != r.ok {
		b.Fatalf("OVERSELL CHECK FAILED for %s: initial %d, remaining %d, sold %d, successful orders %d",
			p.SKU, p.Stock, remaining, sold, r.ok)
	}
}

// level is one row of the table: the three paths at one number of buyers.
type level struct {
	buyers             int
	raw, today, groupd result
	groupSize          float64
}

func (en *flashEnv) runLevel(b *testing.B, buyers int) level {
	lv := level{buyers: buyers}
	orders := flashOrders
	if buyers == 1 {
		orders = min(orders, 600) // one buyer is the latency check, not the throughput one
	}
	per := orders / flashRounds
	before := en.grouped.GroupStats()
	for range flashRounds {
		// buyers more attempts than stock: the last ones must be refused.
		pr, pt, pg := en.product(b, per), en.product(b, per), en.product(b, per)
		r := en.raw(b, buyers, pr, per+buyers)
		t := en.http(b, en.todayURL, buyers, pt, per+buyers)
		g := en.http(b, en.groupedURL, buyers, pg, per+buyers)
		books(b, en.today.Pool(), pr, r)
		books(b, en.today.Pool(), pt, t)
		books(b, en.today.Pool(), pg, g)
		lv.raw.merge(r)
		lv.today.merge(t)
		lv.groupd.merge(g)
	}
	for _, r := range []*result{&lv.raw, &lv.today, &lv.groupd} {
		slices.Sort(r.lat)
	}
	after := en.grouped.GroupStats()
	if txs := (after.Groups - before.Groups) + (after.Singles - before.Singles); txs > 0 {
		lv.groupSize = float64((after.GroupedOrders-before.GroupedOrders)+(after.Singles-before.Singles)) / float64(txs)
	}
	return lv
}

func BenchmarkHotSKU(b *testing.B) {
	en := setupFlash(b, max(slices.Max(flashLevels), soldOutLevel))
	for b.Loop() {
		en.raw(b, 16, en.product(b, 300), 300) // warm-up: connections, plans, caches
		en.http(b, en.todayURL, 16, en.product(b, 300), 300)
		en.http(b, en.groupedURL, 16, en.product(b, 300), 300)

		fmt.Printf("\nHot SKU: %d orders of one product per path and level (%d alternating rounds), pools %d (raw, today) and %d (grouped), group window %s, GOMAXPROCS=%d\n",
			flashOrders, flashRounds, todayConns, groupedConns, groupWindow, runtime.GOMAXPROCS(0))
		fmt.Printf("  %7s | %9s | %9s %8s %8s | %9s %8s %8s | %6s | %5s\n", "buyers", "raw/s",
			"today/s", "p50", "p99", "grouped/s", "p50", "p99", "g/raw", "group")
		for _, n := range flashLevels {
			lv := en.runLevel(b, n)
			ms := func(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }
			fmt.Printf("  %7d | %9.0f | %9.0f %8s %8s | %9.0f %8s %8s | %6.2f | %5.1f\n", n, lv.raw.perSecond(),
				lv.today.perSecond(), ms(lv.today.pct(0.5)), ms(lv.today.pct(0.99)),
				lv.groupd.perSecond(), ms(lv.groupd.pct(0.5)), ms(lv.groupd.pct(0.99)),
				lv.groupd.perSecond()/lv.raw.perSecond(), lv.groupSize)
			b.ReportMetric(lv.groupd.perSecond()/lv.raw.perSecond(), fmt.Sprintf("grouped/raw@%d", n))
		}
		fmt.Printf("  every round sold exactly its stock, ended at 0 and refused the extra orders (oversell check OK)\n")
		fmt.Printf("  raw = one autocommitted statement per order; today = HTTP, one transaction per order (SHOP_GROUP_COMMIT=off);\n")
		fmt.Printf("  grouped = HTTP with group commit (default); group = orders per transaction on the grouped path\n\n")
		en.soldOut(b)
	}
}

// soldOut compares refusals of a sold-out product with product GETs, at soldOutLevel buyers,
// on both services.
func (en *flashEnv) soldOut(b *testing.B) {
	p := en.product(b, 1)
	body := []byte(`{"items":[{"product_id":"` + p.ID + `","quantity":1}]}`)
	refuse := func(base string) result {
		return driveN(soldOutLevel, soldOutN, func(c, i int) error {
			if err := en.post(b, base, c, body, fmt.Sprintf("soldout-%s-%d-%d", base, i, time.Now().UnixNano())); !errors.Is(err, errRefused) {
				return fmt.Errorf("want a refusal, got %w", err)
			}
			return nil
		})
	}
	get := func(base string) result {
		return driveN(soldOutLevel, soldOutN, func(_, _ int) error { return getOK(en.client, base+"/api/products/"+p.ID) })
	}
	if err := en.post(b, en.groupedURL, 0, body, "soldout-first"); err != nil {
		b.Fatal(err)
	}
	refuse(en.groupedURL) // warm-up, and the first refusal marks the product sold out
	before := en.grouped.GroupStats().SoldOutRefusals
	gr, gg := refuse(en.groupedURL), get(en.groupedURL)
	fromSet := en.grouped.GroupStats().SoldOutRefusals - before
	tr, tg := refuse(en.todayURL), get(en.todayURL)
	for _, r := range []result{gr, gg, tr, tg} {
		if r.failed > 0 {
			b.Fatalf("%d requests of the sold-out phase failed", r.failed)
		}
	}
	fmt.Printf("Sold-out product, %d requests each, %d buyers:\n", soldOutN, soldOutLevel)
	fmt.Printf("  %-10s %12s %12s %7s %10s\n", "service", "refusals/s", "GETs/s", "ratio", "refusal p99")
	fmt.Printf("  %-10s %12.0f %12.0f %7.2f %10s\n", "today", tr.perSecond(), tg.perSecond(), tr.perSecond()/tg.perSecond(), tr.pct(0.99).Round(time.Microsecond))
	fmt.Printf("  %-10s %12.0f %12.0f %7.2f %10s\n", "grouped", gr.perSecond(), gg.perSecond(), gr.perSecond()/gg.perSecond(), gr.pct(0.99).Round(time.Microsecond))
	fmt.Printf("  %d of the grouped service's %d refusals came from the sold-out set (no transaction)\n\n", fromSet, soldOutN)
	b.ReportMetric(gr.perSecond()/gg.perSecond(), "soldout-refusals/GET")
}
