package cache_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/app/cache"
	"github.com/shopstack/shopstack/app/shop"
)

// A cold hot product costs one database read per instance, however many requests wait for it.
func TestColdProductIsReadOncePerInstance(t *testing.T) {
	t.Parallel()
	_, rc := newRedis(t)
	p := newProduct(t, "cold", 7)
	cnt := &counting{Store: store, delay: 50 * time.Millisecond}
	products := cache.NewProducts(cnt, cnt, rc)

	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for range 64 {
		wg.Go(func() {
			got, err := products.GetProduct(context.Background(), p.ID)
			if err == nil && got != p {
				err = assert.AnError
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.Equal(t, int64(1), cnt.gets.Load(), "64 concurrent requests, one read")
	for range 20 {
		_, err := products.GetProduct(context.Background(), p.ID)
		require.NoError(t, err)
	}
	assert.Equal(t, int64(1), cnt.gets.Load(), "then served from the cache")

	// A second instance shares the cache: no read at all.
	other := &counting{Store: store}
	got, err := cache.NewProducts(other, other, rc).GetProduct(context.Background(), p.ID)
	require.NoError(t, err)
	assert.Equal(t, p, got)
	assert.Zero(t, other.gets.Load())

	// Unknown products are the store's answer, not cached as anything.
	_, err = products.GetProduct(context.Background(), "00000000-0000-0000-0000-000000000000")
	assert.Equal(t, shop.CodeNotFound, shop.ErrorCode(err))
}

// A change that bypasses every decorator (another writer, a missed invalidation) shows within
// cache.MaxStaleness.
func TestDisplayedStockLagsAtMostOneSecond(t *testing.T) {
	t.Parallel()
	_, rc := newRedis(t)
	p := newProduct(t, "lag", 10)
	products := cache.NewProducts(store, store, rc)
	ctx := context.Background()
	_, err := products.GetProduct(ctx, p.ID)
	require.NoError(t, err)

	_, err = store.Pool().Exec(ctx, "UPDATE products SET stock = 3 WHERE id = $1", p.ID)
	require.NoError(t, err)
	changed := time.Now()
	for {
		asked := time.Now()
		got, err := products.GetProduct(ctx, p.ID)
		require.NoError(t, err)
		if got.Stock == 3 {
			break
		}
		// Judged by when the request was made, so a slow machine cannot fail it.
		require.Less(t, asked.Sub(changed), cache.MaxStaleness, "stale for longer than MaxStaleness")
		time.Sleep(10 * time.Millisecond)
	}
}

// Writes through any instance's decorators are visible at once on every instance, and the
// orders themselves are decided by PostgreSQL.
func TestWritesRefreshOrDropWhatTheyTouch(t *testing.T) {
	t.Parallel()
	_, rc := newRedis(t)
	ctx := context.Background()
	p := newProduct(t, "writes", 5)
	u := newUser(t)
	reader := &counting{Store: store}
	a := cache.NewProducts(reader, reader, rc)                                   // the instance that reads
	b, orders := cache.NewProducts(store, store, rc), cache.NewOrders(store, rc) // the one that writes
	stock := func() int {
		t.Helper()
		got, err := a.GetProduct(ctx, p.ID)
		require.NoError(t, err)
		return got.Stock
	}
	require.Equal(t, 5, stock())

	_, err := b.AdjustStock(ctx, p.ID, 4)
	require.NoError(t, err)
	assert.Equal(t, 9, stock(), "an admin stock change refreshes the entry")
	name := "Renamed product"
	_, err = b.UpdateProduct(ctx, p.ID, shop.ProductPatch{Name: &name})
	require.NoError(t, err)
	got, err := a.GetProduct(ctx, p.ID)
	require.NoError(t, err)
	assert.Equal(t, name, got.Name, "a patch refreshes the entry")
	assert.Equal(t, int64(1), reader.gets.Load(), "refreshed, not just dropped: no read needed")

	render := func(o shop.Order) ([]byte, error) { return json.Marshal(o) }
	res, err := orders.PlaceOrder(ctx, u.ID, "k1", shop.OrderRequest{Lines: []shop.OrderLine{{ProductID: p.ID, Quantity: 2}}}, render)
	require.NoError(t, err)
	assert.Equal(t, 7, stock(), "an order drops the entry")
	var placed shop.Order
	require.NoError(t, json.Unmarshal(res.Body, &placed))

	// The cache says 7 (for up to a second); PostgreSQL has 1 and decides: order 3.
	_, err = store.Pool().Exec(ctx, "UPDATE products SET stock = 1 WHERE id = $1", p.ID)
	require.NoError(t, err)
	_, err = orders.PlaceOrder(ctx, u.ID, "k2", shop.OrderRequest{Lines: []shop.OrderLine{{ProductID: p.ID, Quantity: 3}}}, render)
	assert.Equal(t, shop.CodeInsufficientStock, shop.ErrorCode(err), "the order is decided by PostgreSQL")
	assert.Equal(t, 1, stock(), "a refused order drops the stale entry")

	_, err = orders.CancelOrder(ctx, u.ID, placed.ID)
	require.NoError(t, err)
	assert.Equal(t, 3, stock(), "a cancellation drops the entry")
}

func TestCatalogFirstPages(t *testing.T) {
	t.Parallel()
	_, rc := newRedis(t)
	ctx := context.Background()
	first := newProduct(t, "pages", 1)
	newProduct(t, "pages", 1)
	cnt := &counting{Store: store}
	a, b := cache.NewProducts(cnt, cnt, rc), cache.NewProducts(store, store, rc)
	q := shop.ProductQuery{Category: "pages", Sort: shop.SortName, Limit: 1}

	page, err := a.SearchProducts(ctx, q)
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	require.NotNil(t, page.NextCursor)
	again, err := a.SearchProducts(ctx, q)
	require.NoError(t, err)
	assert.Equal(t, page, again)
	assert.Equal(t, int64(1), cnt.lists.Load(), "the first page comes from the cache")

	q2 := q
	q2.Limit = 2
	_, err = a.SearchProducts(ctx, q2)
	require.NoError(t, err)
	assert.Equal(t, int64(2), cnt.lists.Load(), "another query is another entry")

	next := q
	next.After = &shop.ProductCursor{Sort: shop.SortName, Name: &first.Name, ID: first.ID}
	text := q
	text.Q = "cached"
	for range 2 {
		_, err = a.SearchProducts(ctx, next)
		require.NoError(t, err)
		_, err = a.SearchProducts(ctx, text)
		require.NoError(t, err)
	}
	assert.Equal(t, int64(6), cnt.lists.Load(), "later pages and text queries go to the store")

	// An admin change on another instance makes every cached page stale at once.
	created, err := b.CreateProduct(ctx, shop.NewProduct{SKU: "CACHE-AAA-" + first.ID[:8], Name: "AAA first by name",
		PriceCents: 1, Currency: "USD", Stock: 1, Category: "pages"})
	require.NoError(t, err)
	page, err = a.SearchProducts(ctx, q)
	require.NoError(t, err)
	assert.Equal(t, created.ID, page.Items[0].ID, "a new product shows at once")
	_, err = b.AdjustStock(ctx, created.ID, 5)
	require.NoError(t, err)
	page, err = a.SearchProducts(ctx, q)
	require.NoError(t, err)
	assert.Equal(t, 6, page.Items[0].Stock, "an admin stock change shows at once")
}

// With no cache (the default) the decorators still answer from PostgreSQL.
func TestNoCache(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := newProduct(t, "nocache", 2)
	cnt := &counting{Store: store}
	products := cache.NewProducts(cnt, cnt, cache.None{})
	for range 3 {
		got, err := products.GetProduct(ctx, p.ID)
		require.NoError(t, err)
		assert.Equal(t, p, got)
	}
	assert.Equal(t, int64(3), cnt.gets.Load())
	_, err := cache.NewProducts(store, store, cache.None{}).AdjustStock(ctx, p.ID, 1)
	require.NoError(t, err)
	got, err := products.GetProduct(ctx, p.ID)
	require.NoError(t, err)
	assert.Equal(t, 3, got.Stock)
}
