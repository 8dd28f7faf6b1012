package postgres_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/app/search"
	"github.com/shopstack/shopstack/app/shop"
)

// River's migrations run on the connection that holds the migration lock, so a pool of one
// (SHOP_DB_MAX_CONNS=1) migrates instead of waiting for itself.
func TestMigrateWithOnePooledConnection(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s := migratedStore(t, 1)
	_, err := s.CreateProduct(ctx, shop.NewProduct{SKU: "ONE-1", Name: "One", Currency: "USD", Category: "x"})
	require.NoError(t, err)
}

// indexJobs returns the versions of the search_index jobs of one product, in insertion order.
func indexJobs(t *testing.T, productID string) []int64 {
	t.Helper()
	rows, err := store.Pool().Query(context.Background(),
		"SELECT (args->>'version')::bigint FROM river_job WHERE kind = 'search_index' AND args->>'product_id' = $1 ORDER BY id",
		productID)
	require.NoError(t, err)
	var out []int64
	for rows.Next() {
		var v int64
		require.NoError(t, rows.Scan(&v))
		out = append(out, v)
	}
	require.NoError(t, rows.Err())
	return out
}

func countIndexJobs(t *testing.T) int {
	t.Helper()
	var n int
	require.NoError(t, store.Pool().QueryRow(context.Background(), "SELECT count(*) FROM river_job WHERE kind = 'search_index'").Scan(&n))
	return n
}

// Every committed product write has its search_index job, enqueued in the write's own
// transaction; a write that fails or is rolled back has none.
func TestProductWritesEnqueueTheirIndexJob(t *testing.T) {
	ctx := context.Background()
	p := newProduct(t, 5, 1000)
	assert.Equal(t, []int64{1}, indexJobs(t, p.ID), "create")

	name := "Renamed"
	_, err := store.UpdateProduct(ctx, p.ID, shop.ProductPatch{Name: &name})
	require.NoError(t, err)
	_, err = store.AdjustStock(ctx, p.ID, 3)
	require.NoError(t, err)
	assert.Equal(t, []int64{1, 2, 3}, indexJobs(t, p.ID), "patch and stock adjustment")

	before := countIndexJobs(t)
	_, err = store.CreateProduct(ctx, shop.NewProduct{SKU: p.SKU, Name: "Dup", Currency: "USD", Category: "test"})
	assert.Equal(t, shop.CodeSKUTaken, shop.ErrorCode(err))
	long := strings.Repeat("x", 201) // past shop.ParseProductPatch, so the CHECK constraint fails the UPDATE
	_, err = store.UpdateProduct(ctx, p.ID, shop.ProductPatch{Name: &long})
	require.Error(t, err)
	_, err = store.UpdateProduct(ctx, "00000000-0000-4000-8000-000000000000", shop.ProductPatch{Name: &name})
	assert.Equal(t, shop.CodeNotFound, shop.ErrorCode(err))
	_, err = store.AdjustStock(ctx, p.ID, -100)
	assert.Equal(t, shop.CodeStockWouldGoNegative, shop.ErrorCode(err))
	assert.Equal(t, before, countIndexJobs(t), "failed writes enqueue nothing")
	assert.Equal(t, []int64{1, 2, 3}, indexJobs(t, p.ID))

	got, err := store.GetProduct(ctx, p.ID)
	require.NoError(t, err)
	assert.Equal(t, "Renamed", got.Name, "the failed patch was rolled back")

	t.Run("orders do not enqueue: the hot path stays as it was", func(t *testing.T) {
		u := newUser(t)
		_, err := store.PlaceOrder(ctx, u.ID, "jobs-order", order(shop.OrderLine{ProductID: p.ID, Quantity: 1}), render)
		require.NoError(t, err)
		assert.Equal(t, []int64{1, 2, 3}, indexJobs(t, p.ID))
	})

	t.Run("the same product version is one job", func(t *testing.T) {
		c, err := river.NewClient(riverpgxv5.New(store.Pool()), &river.Config{})
		require.NoError(t, err)
		res, err := c.Insert(ctx, search.IndexArgs{ProductID: p.ID, Version: 3}, nil)
		require.NoError(t, err)
		assert.True(t, res.UniqueSkippedAsDuplicate)
		assert.Equal(t, []int64{1, 2, 3}, indexJobs(t, p.ID))
	})
}
