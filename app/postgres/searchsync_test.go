package postgres_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/app/postgres"
	"github.com/shopstack/shopstack/app/search"
	"github.com/shopstack/shopstack/app/shop"
)

// sync runs one search sync on s and returns the documents it sent, by SKU.
func syncOnce(t *testing.T, s *postgres.Store) map[string]search.Document {
	t.Helper()
	got := map[string]search.Document{}
	n, err := s.SyncSearchChanges(context.Background(), 2, func(_ context.Context, docs []search.Document) error {
		for _, d := range docs {
			got[d.SKU] = d
		}
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, len(got), n)
	return got
}

// drain syncs until a sync sends nothing and returns all it sent. A sync may send a product
// again while some transaction on the server that began before the product's write is still
// running (the watermark waits for it); once a sync sends nothing, everything is through.
func drain(t *testing.T, s *postgres.Store) map[string]search.Document {
	t.Helper()
	all := map[string]search.Document{}
	for range 100 {
		got := syncOnce(t, s)
		if len(got) == 0 {
			return all
		}
		for k, d := range got {
			all[k] = d
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("the sync kept sending after 100 rounds")
	return nil
}

func keys(m map[string]search.Document) []string {
	out := []string{}
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// The search sync sends every product written since the last sync, orders included (their
// stock, with a version above the last one sent), nothing twice once sent, the same again after
// a failed send, and a write whose transaction commits after a later one has been synced.
func TestSyncSearchChanges(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := migratedStore(t, 4)
	ids := map[string]string{}
	for _, sku := range []string{"A-1", "B-2", "C-3"} {
		p, err := s.CreateProduct(ctx, shop.NewProduct{SKU: sku, Name: "Thing " + sku, PriceCents: 100, Currency: "USD",
			Stock: 5, Category: "things"})
		require.NoError(t, err)
		ids[sku] = p.ID
	}
	first := drain(t, s)
	assert.Equal(t, []string{"A-1", "B-2", "C-3"}, keys(first), "new products, over two pages")
	assert.Empty(t, keys(syncOnce(t, s)), "nothing changed since")

	// An order changes only the stock, through the order path; the sync still sees it.
	u, _, err := s.Register(ctx, shop.Registration{Email: "sync@example.com", Password: "correct horse battery", Name: "U"}, "192.0.2.7")
	require.NoError(t, err)
	_, err = s.PlaceOrder(ctx, u.ID, "sync-key-1", order(shop.OrderLine{ProductID: ids["A-1"], Quantity: 2}), render)
	require.NoError(t, err)
	afterOrder := drain(t, s)
	require.Equal(t, []string{"A-1"}, keys(afterOrder))
	assert.Equal(t, 3, afterOrder["A-1"].Stock)
	assert.Greater(t, afterOrder["A-1"].Version, first["A-1"].Version, "the order bumped the version the engine keys on")

	// A failed send keeps the watermark: the next sync sends the same product.
	_, err = s.AdjustStock(ctx, ids["B-2"], 1)
	require.NoError(t, err)
	_, err = s.SyncSearchChanges(ctx, 10, func(context.Context, []search.Document) error { return errors.New("engine down") })
	require.Error(t, err)
	assert.Equal(t, []string{"B-2"}, keys(drain(t, s)))

	// A transaction that wrote C before A's write, and commits after a sync that sent A.
	tx, err := s.Pool().Begin(ctx)
	require.NoError(t, err)
	_, err = tx.Exec(ctx, "UPDATE products SET stock = stock - 1 WHERE id = $1", ids["C-3"])
	require.NoError(t, err)
	_, err = s.AdjustStock(ctx, ids["A-1"], 1)
	require.NoError(t, err)
	during := syncOnce(t, s)
	assert.Contains(t, keys(during), "A-1")
	assert.NotContains(t, keys(during), "C-3", "C's write is not committed yet")
	require.NoError(t, tx.Commit(ctx))
	late := drain(t, s)
	require.Contains(t, keys(late), "C-3", "the late commit is sent by the next sync")
	assert.Equal(t, 4, late["C-3"].Stock)
}
