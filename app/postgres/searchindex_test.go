package postgres_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/app/postgres"
	"github.com/shopstack/shopstack/app/search/searchtest"
	"github.com/shopstack/shopstack/app/shop"
	"github.com/shopstack/shopstack/internal/pgtest"
)

func openSearchStore(t *testing.T) *postgres.Store {
	t.Helper()
	return migratedStore(t, 4)
}

func TestSearchIndexContract(t *testing.T) {
	t.Parallel()
	searchtest.Run(t, func(t *testing.T, catalog []shop.NewProduct) shop.ProductSearcher {
		ctx := context.Background()
		s := openSearchStore(t)
		for i, p := range catalog {
			created, err := s.CreateProduct(ctx, p)
			require.NoError(t, err)
			_, err = s.Pool().Exec(ctx, "UPDATE products SET created_at = '2026-01-01'::timestamptz + $2 * interval '1 minute' WHERE id = $1",
				created.ID, i)
			require.NoError(t, err)
		}
		x := postgres.NewSearchIndex(s, postgres.SearchIndexOptions{MaxLag: time.Hour})
		require.NoError(t, x.Refresh(ctx))
		return x
	})
}

// indexCatalog inserts n generated products whose names and descriptions share a small
// vocabulary (so words match hundreds of products, names repeat, prices and times tie), plus
// a few with punctuation, quotes and backslashes.
func indexCatalog(t *testing.T, s *postgres.Store, n int) {
	t.Helper()
	adjectives := []string{"classic", "compact", "deluxe", "heavy", "light", "rugged", "soft", "vintage", "quiet"}
	materials := []string{"cotton", "wool", "steel", "oak", "bamboo", "copper", "cork", "denim"}
	nouns := []string{"shirt", "mug", "kettle", "pan", "knife", "board", "lamp", "mat", "pen", "pot"}
	extras := []string{"for everyday use", "built to last", "easy to clean", "dishwasher safe", "runs on USB-C",
		"a mug's mug", `back\slash`, "shirts and t-shirts", "x-ray ready"}
	categories := []string{"apparel", "kitchen", "outdoor", "home"}
	rng := rand.New(rand.NewPCG(7, 8))
	pick := func(s []string) string { return s[rng.IntN(len(s))] }
	var skus, names, descs, cats []string
	var prices []int64
	var stocks []int32
	var ages []int32
	for i := range n {
		adj, mat, noun := pick(adjectives), pick(materials), pick(nouns)
		skus = append(skus, fmt.Sprintf("IDX-%05d", i))
		names = append(names, fmt.Sprintf("%s %s %s", adj, mat, noun))
		descs = append(descs, fmt.Sprintf("A %s %s %s in %s, %s, %s.", pick(adjectives), mat, noun, pick(materials), pick(extras), pick(nouns)))
		cats = append(cats, pick(categories))
		prices = append(prices, int64(rng.IntN(60))*500+99) // ties on price
		stock := int32(rng.IntN(5))
		stocks = append(stocks, stock)
		ages = append(ages, int32(rng.IntN(n/4))) // ties on created_at
	}
	_, err := s.Pool().Exec(context.Background(), `
		INSERT INTO products (sku, name, description, price_cents, stock, category, created_at)
		SELECT sku, name, descr, price, stock, cat, '2026-01-01'::timestamptz + age * interval '1 second'
		FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::int[], $6::text[], $7::int[])
			AS t(sku, name, descr, price, stock, cat, age)`,
		skus, names, descs, prices, stocks, cats, ages)
	require.NoError(t, err)
}

// indexQueries are the queries TestSearchIndexAnswersAsPostgreSQL compares.
var indexQueries = []url.Values{
	{},
	{"q": {"mug"}},
	{"q": {"mugs"}, "sort": {"name"}},
	{"q": {"ste"}},
	{"q": {"steel mug"}},
	{"q": {"soft cotton shirt"}},
	{"q": {"shirt"}, "in_stock": {"true"}},
	{"q": {"coper"}},        // a typo
	{"q": {"coper kettle"}}, // a typo with another word
	{"q": {"cotton coton"}}, // a word and its own typo
	// the same under every other sort: the rank query is bound only when relevance sorts (an unused
	// parameter was a 42P18, a 500)
	{"q": {"cotton coton"}, "sort": {"price_asc"}},
	{"q": {"cotton coton"}, "sort": {"price_desc"}},
	{"q": {"cotton coton"}, "sort": {"name"}},
	{"q": {"cotton coton"}, "sort": {"newest"}},
	{"q": {"cottn coper"}}, // two typos
	{"q": {"knife"}, "category": {"kitchen"}, "sort": {"price_desc"}},
	{"q": {"oak"}, "sort": {"price_asc"}, "max_price_cents": {"10000"}},
	{"q": {"oak"}, "sort": {"newest"}, "min_price_cents": {"5000"}, "in_stock": {"false"}},
	{"q": {"idx-001"}},       // an SKU prefix
	{"q": {"IDX-0002 lamp"}}, // an SKU prefix that is also words
	{"q": {"slash"}},
	{"q": {"the"}}, // a stop word only
	{"q": {"%"}},
	{"q": {"xray"}},
	{"q": {"x-ray"}},
	{"q": {"usb c"}},
	{"category": {"home"}, "sort": {"price_asc"}},
	{"sort": {"newest"}, "in_stock": {"true"}},
	{"q": {"pen pot pan"}},
}

// TestSearchIndexAnswersAsPostgreSQL: the index and the SQL statement give the same pages
// (items in order, total, facets, next cursor with its relevance score) for every query, page
// after page, and each accepts the other's cursors.
func TestSearchIndexAnswersAsPostgreSQL(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openSearchStore(t)
	indexCatalog(t, s, 3000)
	x := postgres.NewSearchIndex(s, postgres.SearchIndexOptions{MaxLag: time.Hour})
	require.NoError(t, x.Refresh(ctx))
	pages := 0
	for _, params := range indexQueries {
		for _, limit := range []string{"7", "100"} {
			p := url.Values{"limit": {limit}}
			for k, v := range params {
				p[k] = v
			}
			for page := 0; page < 4; page++ {
				q, err := shop.ParseProductQuery(p)
				require.NoError(t, err)
				want, err := s.SearchProducts(ctx, q)
				require.NoError(t, err)
				got, err := x.SearchProducts(ctx, q)
				require.NoError(t, err)
				require.Equal(t, want, got, "%s, page %d", p.Encode(), page)
				pages++
				if want.NextCursor == nil {
					break
				}
				p.Set("cursor", *want.NextCursor)
			}
		}
	}
	st := x.Stats()
	assert.Equal(t, int64(pages), st.Served, "every search answered from memory")
	assert.Zero(t, st.FellBack)
	assert.Equal(t, 3000, st.Products)
}

// fakeClock is a settable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func searchOne(t *testing.T, s shop.ProductSearcher, params url.Values) shop.ProductPage {
	t.Helper()
	q, err := shop.ParseProductQuery(params)
	require.NoError(t, err)
	page, err := s.SearchProducts(context.Background(), q)
	require.NoError(t, err)
	return page
}

// TestSearchIndexLagsAtMostMaxLag: writes (an order's stock change, a rename, a new product)
// show after the next refresh; until then the index answers from its copy, and once the copy
// is MaxLag old every search reads PostgreSQL instead.
func TestSearchIndexLagsAtMostMaxLag(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openSearchStore(t)
	mug, err := s.CreateProduct(ctx, shop.NewProduct{SKU: "BLUE-1", Name: "Blue Mug", Description: "Stoneware.",
		PriceCents: 1500, Currency: "USD", Stock: 3, Category: "kitchen"})
	require.NoError(t, err)
	clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	x := postgres.NewSearchIndex(s, postgres.SearchIndexOptions{MaxLag: time.Second, Now: clock.now})

	// Before the first refresh: PostgreSQL.
	page := searchOne(t, x, url.Values{"q": {"mug"}})
	require.Len(t, page.Items, 1)
	assert.Equal(t, int64(1), x.Stats().FellBack)
	require.NoError(t, x.Refresh(ctx))

	// Stock as an order changes it, a rename and a new product: not in the copy yet.
	teacup := "Blue Teacup"
	_, err = s.Pool().Exec(ctx, "UPDATE products SET stock = 0 WHERE id = $1", mug.ID)
	require.NoError(t, err)
	_, err = s.UpdateProduct(ctx, mug.ID, shop.ProductPatch{Name: &teacup})
	require.NoError(t, err)
	_, err = s.CreateProduct(ctx, shop.NewProduct{SKU: "MUG-2", Name: "Tall Mug", PriceCents: 1800, Currency: "USD",
		Stock: 1, Category: "kitchen"})
	require.NoError(t, err)
	clock.add(900 * time.Millisecond)
	page = searchOne(t, x, url.Values{"q": {"mug"}})
	require.Len(t, page.Items, 1, "served from the copy, 0.9 s old")
	assert.Equal(t, "Blue Mug", page.Items[0].Name)
	assert.Equal(t, 3, page.Items[0].Stock)
	assert.Equal(t, shop.StockCount{In: 1}, page.Facets.InStock)
	assert.Equal(t, int64(1), x.Stats().Served)

	// MaxLag old: PostgreSQL answers, with every write.
	clock.add(100 * time.Millisecond)
	page = searchOne(t, x, url.Values{"q": {"mug"}})
	require.Len(t, page.Items, 1)
	assert.Equal(t, "Tall Mug", page.Items[0].Name)
	assert.Equal(t, shop.StockCount{In: 1}, page.Facets.InStock)
	assert.Equal(t, int64(2), x.Stats().FellBack)

	// Refreshed: the copy has every write.
	require.NoError(t, x.Refresh(ctx))
	page = searchOne(t, x, url.Values{"q": {"teacup"}})
	require.Len(t, page.Items, 1)
	assert.Equal(t, 0, page.Items[0].Stock)
	assert.Equal(t, shop.StockCount{Out: 1}, page.Facets.InStock)
	page = searchOne(t, x, url.Values{"q": {"mug"}})
	require.Len(t, page.Items, 1, "the renamed product's old name no longer matches")
	assert.Equal(t, "Tall Mug", page.Items[0].Name)
	assert.Equal(t, int64(3), x.Stats().Served)
}

// TestSearchIndexWordCacheLagsAtMostMaxLag: a typo's alternatives are those of the catalog at
// most MaxLag ago: a product that brings a close lexeme is a match for the typo within MaxLag.
func TestSearchIndexWordCacheLagsAtMostMaxLag(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openSearchStore(t)
	_, err := s.CreateProduct(ctx, shop.NewProduct{SKU: "MUG-1", Name: "Blue Mug", PriceCents: 1500, Currency: "USD",
		Stock: 3, Category: "kitchen"})
	require.NoError(t, err)
	clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	x := postgres.NewSearchIndex(s, postgres.SearchIndexOptions{MaxLag: time.Second, Now: clock.now})
	require.NoError(t, x.Refresh(ctx))
	assert.Empty(t, searchOne(t, x, url.Values{"q": {"zorblatt"}}).Items)

	_, err = s.CreateProduct(ctx, shop.NewProduct{SKU: "ZORB-1", Name: "Zorblat Deluxe", PriceCents: 4999, Currency: "USD",
		Stock: 1, Category: "gadgets"})
	require.NoError(t, err)
	clock.add(500 * time.Millisecond)
	require.NoError(t, x.Refresh(ctx))
	assert.Empty(t, searchOne(t, x, url.Values{"q": {"zorblatt"}}).Items, "the typo's resolution (no alternative) is 0.5 s old")
	assert.Equal(t, int64(1), x.Stats().WordStatements, "from the word cache")
	assert.Len(t, searchOne(t, x, url.Values{"q": {"deluxe"}}).Items, 1, "a word not resolved before is")
	assert.Equal(t, int64(2), x.Stats().WordStatements)

	clock.add(500 * time.Millisecond)
	require.NoError(t, x.Refresh(ctx))
	page := searchOne(t, x, url.Values{"q": {"zorblatt"}})
	require.Len(t, page.Items, 1, "resolved again once MaxLag old: widened to zorblat")
	assert.Equal(t, "ZORB-1", page.Items[0].SKU)
	assert.Equal(t, int64(3), x.Stats().WordStatements)
	assert.Zero(t, x.Stats().FellBack)
}

// TestSearchIndexRunRefreshes: Run keeps the copy fresh until its context ends.
func TestSearchIndexRunRefreshes(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	s := openSearchStore(t)
	x := postgres.NewSearchIndex(s, postgres.SearchIndexOptions{Interval: 10 * time.Millisecond, MaxLag: time.Hour})
	done := make(chan struct{})
	go func() { x.Run(ctx); close(done) }()
	_, err := s.CreateProduct(ctx, shop.NewProduct{SKU: "MUG-1", Name: "Blue Mug", PriceCents: 1500, Currency: "USD",
		Stock: 3, Category: "kitchen"})
	require.NoError(t, err)
	require.Eventually(t, func() bool { return x.Stats().Products == 1 }, 10*time.Second, 10*time.Millisecond)
	cancel()
	<-done
	page := searchOne(t, x, url.Values{"q": {"mug"}})
	require.Len(t, page.Items, 1)
	assert.Equal(t, int64(1), x.Stats().Served)
}

// TestSearchIndexSearchesWhileItRefreshes: searches, refreshes and product writes at once (run
// it under -race); afterwards the copy answers as the statement does.
func TestSearchIndexSearchesWhileItRefreshes(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := openSearchStore(t)
	indexCatalog(t, s, 500)
	x := postgres.NewSearchIndex(s, postgres.SearchIndexOptions{Interval: 5 * time.Millisecond, MaxLag: time.Hour})
	require.NoError(t, x.Refresh(ctx))
	done := make(chan struct{})
	go func() { x.Run(ctx); close(done) }()
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 100 {
				params := indexQueries[(g*100+i)%len(indexQueries)]
				q, err := shop.ParseProductQuery(params)
				if !assert.NoError(t, err) {
					return
				}
				_, err = x.SearchProducts(ctx, q)
				assert.NoError(t, err)
			}
		})
	}
	wg.Go(func() {
		for i := range 100 {
			_, err := s.Pool().Exec(ctx, `UPDATE products SET stock = (stock + 1) % 3,
				name = CASE WHEN $1 % 2 = 0 THEN name || ' kettle' ELSE name END WHERE sku = 'IDX-' || lpad(($1 % 500)::text, 5, '0')`, i)
			assert.NoError(t, err)
		}
		_, err := s.CreateProduct(ctx, shop.NewProduct{SKU: "NEW-1", Name: "Copper Kettle", PriceCents: 2500, Currency: "USD",
			Stock: 1, Category: "kitchen"})
		assert.NoError(t, err)
	})
	wg.Wait()
	cancel()
	<-done
	require.NoError(t, x.Refresh(context.Background()))
	for _, params := range indexQueries {
		q, err := shop.ParseProductQuery(params)
		require.NoError(t, err)
		want, err := s.SearchProducts(context.Background(), q)
		require.NoError(t, err)
		got, err := x.SearchProducts(context.Background(), q)
		require.NoError(t, err)
		require.Equal(t, want, got, params.Encode())
	}
}

// TestNameCollation: the copy orders names by bytes, so serve refuses it unless products.name
// sorts that way: on this server's C.UTF-8 it does; on a database with an ICU locale it does not.
func TestNameCollation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	name, bytewise, err := openSearchStore(t).NameCollation(ctx)
	require.NoError(t, err)
	assert.True(t, bytewise, "this server's databases are %s", name)

	// A database of its own with an ICU collation (pgtest's databases take the server's default).
	dbURL := pgtest.NewDatabase(t)
	u, err := url.Parse(dbURL)
	require.NoError(t, err)
	icuDB := strings.TrimPrefix(u.Path, "/") + "_icu"
	admin, err := pgx.Connect(ctx, pgtest.ServerURL())
	require.NoError(t, err)
	defer admin.Close(ctx)
	_, err = admin.Exec(ctx, `CREATE DATABASE `+pgx.Identifier{icuDB}.Sanitize()+
		` TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en' LOCALE 'C.UTF-8'`)
	require.NoError(t, err)
	t.Cleanup(func() {
		_, _ = admin.Exec(context.Background(), `DROP DATABASE IF EXISTS `+pgx.Identifier{icuDB}.Sanitize()+` WITH (FORCE)`)
	})
	u.Path = "/" + icuDB
	s, err := postgres.Open(ctx, u.String(), 2, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	require.NoError(t, err)
	defer s.Close()
	_, err = s.Migrate(ctx)
	require.NoError(t, err)
	name, bytewise, err = s.NameCollation(ctx)
	require.NoError(t, err)
	assert.False(t, bytewise)
	assert.Equal(t, "icu:en", name)
}

// TestProductsAreNeverDeleted: a DELETE or TRUNCATE of products, even by the owner, is refused
// (migration 011), since the search copies could not learn of it.
func TestProductsAreNeverDeleted(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openSearchStore(t)
	p, err := s.CreateProduct(ctx, shop.NewProduct{SKU: "KEEP-1", Name: "Kept", Currency: "USD", Category: "x"})
	require.NoError(t, err)
	for _, stmt := range []string{"DELETE FROM products WHERE id = '" + p.ID + "'", "TRUNCATE products CASCADE"} {
		_, err := s.Pool().Exec(ctx, stmt)
		var pgErr *pgconn.PgError
		require.ErrorAs(t, err, &pgErr, stmt)
		assert.Equal(t, "23001", pgErr.Code, stmt) // restrict_violation
		assert.Contains(t, pgErr.Message, "products are never deleted", stmt)
	}
	var n int
	require.NoError(t, s.Pool().QueryRow(ctx, `SELECT count(*) FROM products WHERE id = $1`, p.ID).Scan(&n))
	assert.Equal(t, 1, n)
}

// countingSearcher counts the searches it answers, with an empty page.
type countingSearcher struct{ n int }

func (c *countingSearcher) SearchProducts(context.Context, shop.ProductQuery) (shop.ProductPage, error) {
	c.n++
	return shop.ProductPage{}, nil
}

// TestSearchIndexFallsBackToWhatItIsGiven: a copy that was never loaded answers nothing itself;
// the searcher given to FallBackTo (serve's: the statement behind the page cache) answers instead.
func TestSearchIndexFallsBackToWhatItIsGiven(t *testing.T) {
	t.Parallel()
	x := postgres.NewSearchIndex(openSearchStore(t), postgres.SearchIndexOptions{})
	fallback := &countingSearcher{}
	x.FallBackTo(fallback)
	q, err := shop.ParseProductQuery(url.Values{"q": {"mug"}})
	require.NoError(t, err)
	_, err = x.SearchProducts(context.Background(), q)
	require.NoError(t, err)
	assert.Equal(t, 1, fallback.n)
	assert.EqualValues(t, 1, x.Stats().FellBack)
	assert.True(t, x.Stats().LastRefreshStarted.IsZero())
}

// TestSearchIndexSeesAWriteCommittedAfterARefresh: the watermark's point. A transaction that
// took its xid before a refresh (so the refresh's snapshot does not see its write) and commits
// after it is read by a later refresh; so is one whose xid is newer than a committed later one's.
func TestSearchIndexSeesAWriteCommittedAfterARefresh(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openSearchStore(t)
	p, err := s.CreateProduct(ctx, shop.NewProduct{SKU: "SLOW-1", Name: "Slow Lamp", PriceCents: 900, Currency: "USD",
		Stock: 2, Category: "home"})
	require.NoError(t, err)
	x := postgres.NewSearchIndex(s, postgres.SearchIndexOptions{MaxLag: time.Hour})
	require.NoError(t, x.Refresh(ctx))

	// The slow writer takes its xid first, then a quick one commits a later xid.
	slow, err := s.Pool().Begin(ctx)
	require.NoError(t, err)
	defer func() { _ = slow.Rollback(ctx) }()
	_, err = slow.Exec(ctx, "UPDATE products SET stock = 0 WHERE id = $1", p.ID)
	require.NoError(t, err)
	_, err = s.CreateProduct(ctx, shop.NewProduct{SKU: "QUICK-1", Name: "Quick Lamp", PriceCents: 800, Currency: "USD",
		Stock: 1, Category: "home"})
	require.NoError(t, err)
	require.NoError(t, x.Refresh(ctx))
	page := searchOne(t, x, url.Values{"q": {"lamp"}})
	require.Len(t, page.Items, 2, "the quick writer's product is in")
	assert.Equal(t, shop.StockCount{In: 2}, page.Facets.InStock, "the slow write is not committed yet")

	require.NoError(t, slow.Commit(ctx))
	require.NoError(t, x.Refresh(ctx))
	page = searchOne(t, x, url.Values{"q": {"lamp"}})
	require.Len(t, page.Items, 2)
	assert.Equal(t, shop.StockCount{In: 1, Out: 1}, page.Facets.InStock, "the slow write, committed after the refresh, is read by the next")
	assert.EqualValues(t, 2, x.Stats().Served, "both answers from the copy")
}
