package bench_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/shopstack/shopstack/app/httpapi"
	"github.com/shopstack/shopstack/app/postgres"
	"github.com/shopstack/shopstack/app/shop"
	"github.com/shopstack/shopstack/internal/pgtest"
)

// Search workload knobs; the defaults are what app/README.md reports.
var (
	catalogSize = envInt("BENCH_CATALOG", 100_000) // generated products
	searches    = envInt("BENCH_SEARCHES", 4000)   // text queries with facets
	// searchWrites are stock changes a second during each measured search run; default none.
	searchWrites = envInt("BENCH_SEARCH_WRITES", 0)
)

// The generated catalog: names are adjective + material + noun (+ a model number), descriptions
// draw on the same words and a few more, so a text query matches from a handful to thousands
// of products, as in a real shop.
var (
	adjectives = []string{"classic", "compact", "deluxe", "ergonomic", "foldable", "heavy", "light", "modern",
		"organic", "portable", "premium", "recycled", "rugged", "slim", "smart", "soft", "sturdy", "vintage",
		"waterproof", "wireless", "insulated", "handmade", "minimal", "rustic", "quiet"}
	materials = []string{"cotton", "wool", "linen", "leather", "steel", "oak", "bamboo", "ceramic", "glass",
		"copper", "nylon", "canvas", "walnut", "marble", "silicone", "titanium", "cork", "denim", "felt", "hemp"}
	nouns = []string{"shirt", "hoodie", "jacket", "sock", "cap", "mug", "kettle", "pan", "knife", "board", "towel",
		"bottle", "tent", "lamp", "backpack", "stool", "mat", "cable", "charger", "speaker", "keyboard", "mouse",
		"candle", "throw", "pot", "chair", "table", "shelf", "blanket", "pillow", "watch", "wallet", "belt",
		"scarf", "glove", "boot", "sandal", "umbrella", "notebook", "pen"}
	extras = []string{"for everyday use", "built to last", "easy to clean", "gift ready", "made in small batches",
		"with a lifetime warranty", "ships in plastic-free packaging", "designed in Lisbon", "dishwasher safe",
		"machine washable", "runs on USB-C", "fits in a pocket"}
	benchCategories = []string{"apparel", "kitchen", "outdoor", "electronics", "home", "books", "garden", "toys",
		"sports", "office", "beauty", "pets"}
)

// generateCatalog inserts n products in one statement per 10,000, then analyzes the table.
func generateCatalog(ctx context.Context, store *postgres.Store, n int) error {
	rng := rand.New(rand.NewPCG(1, 2))
	pick := func(s []string) string { return s[rng.IntN(len(s))] }
	const chunk = 10_000
	for start := 0; start < n; start += chunk {
		var skus, names, descs, cats []string
		var prices []int64
		var stocks []int32
		for i := start; i < min(start+chunk, n); i++ {
			adj, mat, noun := pick(adjectives), pick(materials), pick(nouns)
			skus = append(skus, fmt.Sprintf("GEN-%06d", i))
			names = append(names, fmt.Sprintf("%s %s %s %d", title(adj), title(mat), title(noun), 100+rng.IntN(900)))
			descs = append(descs, fmt.Sprintf("A %s %s %s in %s, %s.", pick(adjectives), mat, noun, pick(materials), pick(extras)))
			cats = append(cats, pick(benchCategories))
			prices = append(prices, int64(rng.IntN(500))*100+99)
			stock := int32(rng.IntN(200))
			if rng.IntN(10) == 0 {
				stock = 0
			}
			stocks = append(stocks, stock)
		}
		_, err := store.Pool().Exec(ctx, `
			INSERT INTO products (sku, name, description, price_cents, stock, category, created_at)
			SELECT sku, name, descr, price, stock, cat, now() - (ord * interval '1 second')
			FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::int[], $6::text[])
				WITH ORDINALITY AS t(sku, name, descr, price, stock, cat, ord)`,
			skus, names, descs, prices, stocks, cats)
		if err != nil {
			return fmt.Errorf("generate catalog: %w", err)
		}
	}
	_, err := store.Pool().Exec(ctx, "VACUUM ANALYZE products")
	return err
}

func title(s string) string { return string(s[0]-'a'+'A') + s[1:] }

// searchQueries are the text queries the benchmark sends, each with facets: single words
// (thousands of matches), two words (tens to hundreds), typos and prefixes (trigram matches),
// some with a filter or another sort.
func searchQueries(n int) []string {
	rng := rand.New(rand.NewPCG(3, 4))
	pick := func(s []string) string { return s[rng.IntN(len(s))] }
	typo := func(s string) string { // drop one inner letter
		i := 1 + rng.IntN(len(s)-2)
		return s[:i] + s[i+1:]
	}
	out := make([]string, n)
	for i := range out {
		v := url.Values{}
		switch i % 6 {
		case 0:
			v.Set("q", pick(nouns))
		case 1:
			v.Set("q", pick(materials)+" "+pick(nouns))
		case 2:
			v.Set("q", pick(adjectives)+" "+pick(nouns))
			v.Set("in_stock", "true")
		case 3:
			v.Set("q", typo(pick(materials)))
		case 4:
			v.Set("q", pick(nouns)[:3])
			v.Set("category", pick(benchCategories))
		case 5:
			v.Set("q", pick(materials))
			v.Set("sort", "price_asc")
			v.Set("max_price_cents", "10000")
		}
		out[i] = "/api/products?" + v.Encode()
	}
	return out
}

// BenchmarkSearch runs the workload against the SQL statement (postgres.Store) and against
// postgres.SearchIndex, its in-process copy of the catalog; BENCH_SEARCH=sql or index runs one.
func BenchmarkSearch(b *testing.B) {
	ctx := context.Background()
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	store, err := postgres.Open(ctx, pgtest.NewDatabase(b), int32(conns), log)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(store.Close)
	if _, err := store.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	t0 := time.Now()
	if err := generateCatalog(ctx, store, catalogSize); err != nil {
		b.Fatal(err)
	}
	loaded := time.Since(t0)
	client := &http.Client{Transport: &http.Transport{MaxIdleConns: clients * 2, MaxIdleConnsPerHost: clients * 2}, Timeout: time.Minute}
	queries := searchQueries(searches)
	mode := os.Getenv("BENCH_SEARCH")

	for b.Loop() {
		fmt.Printf("\nSearch: %d products (generated in %s), %d text queries with facets, %d concurrent clients, %d pooled connections, GOMAXPROCS=%d\n",
			catalogSize, loaded.Round(time.Second), searches, clients, conns, runtime.GOMAXPROCS(0))
		if mode == "" || mode == "sql" {
			stopWrites := startWrites(ctx, b, store)
			r := runSearches(b, client, store, store, log, queries)
			writes := stopWrites()
			fmt.Printf("  SQL statement (postgres.Store)      %6.0f req/s   p50 %s   p99 %s   (goal p99 <= 50ms)\n",
				r.perSecond(), r.pct(0.50).Round(time.Microsecond), r.pct(0.99).Round(time.Microsecond))
			printWrites(writes)
			b.ReportMetric(r.perSecond(), "sql-req/s")
			b.ReportMetric(float64(r.pct(0.50).Microseconds()), "sql-p50-µs")
			b.ReportMetric(float64(r.pct(0.99).Microseconds()), "sql-p99-µs")
		}
		if mode == "" || mode == "index" {
			benchIndex(ctx, b, client, store, log, queries)
		}
		sizes, err := indexSizes(ctx, store)
		if err != nil {
			b.Fatal(err)
		}
		for _, s := range sizes {
			fmt.Printf("  %-40s %s\n", s[0], s[1])
		}
		fmt.Println()
	}
}

// benchIndex loads a postgres.SearchIndex, runs the workload against it while Run refreshes it,
// and prints the figures and the copy's counters.
func benchIndex(ctx context.Context, b *testing.B, client *http.Client, store *postgres.Store, log *slog.Logger, queries []string) {
	b.Helper()
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	x := postgres.NewSearchIndex(store, postgres.SearchIndexOptions{})
	t1 := time.Now()
	if err := x.Refresh(ctx); err != nil {
		b.Fatal(err)
	}
	load := time.Since(t1)
	// The load took longer than MaxLag: catch up, as Run's first tick would, before measuring.
	if err := x.Refresh(ctx); err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { x.Run(runCtx); close(done) }()
	stopWrites := startWrites(ctx, b, store)
	r := runSearches(b, client, store, x, log, queries)
	writes := stopWrites()
	stop()
	<-done
	st := x.Stats()
	fmt.Printf("  in-process copy (postgres.SearchIndex) %6.0f req/s   p50 %s   p99 %s   (goal p99 <= 50ms)\n",
		r.perSecond(), r.pct(0.50).Round(time.Microsecond), r.pct(0.99).Round(time.Microsecond))
	printWrites(writes)
	fmt.Printf("    copy loaded in %s, %d MiB of Go heap; %d searches answered from it, %d from SQL (copy older than 1 s); %d refreshes, slowest after the load %s\n",
		load.Round(time.Millisecond), (int64(after.HeapAlloc)-int64(before.HeapAlloc))>>20, st.Served, st.FellBack,
		st.Refreshes, st.SlowestRefresh.Round(time.Millisecond))
	fmt.Printf("    query words: %d statements to resolve them for %d searches (the rest from the 1 s word cache)\n",
		st.WordStatements, st.Served)
	b.ReportMetric(r.perSecond(), "index-req/s")
	b.ReportMetric(float64(r.pct(0.50).Microseconds()), "index-p50-µs")
	b.ReportMetric(float64(r.pct(0.99).Microseconds()), "index-p99-µs")
}

// startWrites changes the stock of random products, searchWrites a second (BENCH_SEARCH_WRITES,
// default 0: none), as orders would, until the returned function stops it and says how many.
func startWrites(ctx context.Context, b *testing.B, store *postgres.Store) func() int {
	b.Helper()
	if searchWrites == 0 {
		return func() int { return 0 }
	}
	stop := make(chan struct{})
	done := make(chan int)
	go func() {
		rng := rand.New(rand.NewPCG(5, 6))
		t := time.NewTicker(time.Second / time.Duration(searchWrites))
		defer t.Stop()
		n := 0
		for {
			select {
			case <-stop:
				done <- n
				return
			case <-t.C:
			}
			_, err := store.Pool().Exec(ctx, "UPDATE products SET stock = (stock + 199) % 200 WHERE sku = $1",
				fmt.Sprintf("GEN-%06d", rng.IntN(catalogSize)))
			if err != nil {
				b.Error(err)
			}
			n++
		}
	}()
	return func() int { close(stop); return <-done }
}

func printWrites(n int) {
	if n > 0 {
		fmt.Printf("    %d stock changes during the run (BENCH_SEARCH_WRITES=%d a second)\n", n, searchWrites)
	}
}

// runSearches serves the API over search and sends 200 warm-up queries, then the measured ones.
func runSearches(b *testing.B, client *http.Client, store *postgres.Store, search shop.ProductSearcher, log *slog.Logger,
	queries []string) result {
	b.Helper()
	e, err := httpapi.New(httpapi.Config{Products: store, Search: search, Accounts: store, Orders: store, Readiness: store, Log: log})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(httpapi.NewServer("", e, log).Handler)
	defer srv.Close()
	get := func(_, i int) error { return getOK(client, srv.URL+queries[i%len(queries)]) }
	drive(200, get)
	r := drive(len(queries), get)
	if r.failed > 0 {
		b.Fatalf("%d searches failed", r.failed)
	}
	return r
}

// indexSizes lists the products table, each of its indexes, and the search indexes' total.
func indexSizes(ctx context.Context, store *postgres.Store) ([][2]string, error) {
	rows, err := store.Pool().Query(ctx, `
		SELECT 'table products (heap, incl. search_vector)', pg_size_pretty(pg_relation_size('products'))
		UNION ALL
		SELECT * FROM (SELECT indexrelid::regclass::text, pg_size_pretty(pg_relation_size(indexrelid))
			FROM pg_index WHERE indrelid = 'products'::regclass ORDER BY pg_relation_size(indexrelid) DESC) i
		UNION ALL
		SELECT 'column search_vector', pg_size_pretty(sum(pg_column_size(search_vector))::bigint) FROM products
		UNION ALL
		SELECT 'table search_lexemes (' || (SELECT count(*) FROM search_lexemes) || ' lexemes) with its index',
			pg_size_pretty(pg_total_relation_size('search_lexemes'))
		UNION ALL
		SELECT 'search indexes (migration 003), total', pg_size_pretty(sum(pg_relation_size(c.oid)))
			FROM pg_class c WHERE c.relname IN ('products_search_vector_idx', 'products_name_trgm_idx',
				'products_sku_pattern_idx', 'products_price_cents_id_idx', 'products_created_at_id_idx')`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][2]string
	for rows.Next() {
		var s [2]string
		if err := rows.Scan(&s[0], &s[1]); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
