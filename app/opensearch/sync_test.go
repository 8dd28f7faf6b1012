package opensearch_test

import (
	"context"
	"encoding/json"
	"net/url"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/app/opensearch"
	"github.com/shopstack/shopstack/app/search"
	"github.com/shopstack/shopstack/app/search/searchtest"
	"github.com/shopstack/shopstack/app/shop"
)

// An order's stock change reaches the search index through the periodic search_sync job alone:
// a real PostgreSQL order (the order path enqueues nothing), River's periodic job on a real
// River client, and the adapter's bulk write to ZincSearch.
func TestOrderStockReachesTheIndexThroughSearchSync(t *testing.T) {
	ctx := context.Background()
	z := startZinc(t)
	s := newStore(t)
	loadCatalog(t, s, searchtest.Catalog())
	name, err := z.client(t, "products").Reindex(ctx, s, time.Now(), discardLog())
	require.NoError(t, err)
	z.waitVisible(t, "products", len(searchtest.Catalog()))

	// Zinc writes a document sent to an alias into a new index of the alias's name, where no
	// search through the alias finds it (OpenSearch writes it to the alias's index): the sync
	// writes to the concrete index here, and searches go through the alias.
	writer := opensearch.Indexer{Client: z.client(t, name), Source: s}
	workers := river.NewWorkers()
	river.AddWorker(workers, &search.SyncWorker{Feed: s, Index: writer})
	rc, err := river.NewClient(riverpgxv5.New(s.Pool()), &river.Config{
		Logger:       discardLog(),
		Queues:       map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 1}},
		Workers:      workers,
		PeriodicJobs: []*river.PeriodicJob{search.SyncJob()},
	})
	require.NoError(t, err)
	require.NoError(t, rc.Start(ctx))
	t.Cleanup(func() { _ = rc.Stop(context.Background()) })

	zorb := findOne(t, z.client(t, "products"), "zorb")
	require.Equal(t, 5, zorb.Stock)
	u, _, err := s.Register(ctx, shop.Registration{Email: "buyer@example.com", Password: "correct horse battery", Name: "B"}, "192.0.2.9")
	require.NoError(t, err)
	render := func(o shop.Order) ([]byte, error) { return json.Marshal(o) }
	raw, _ := json.Marshal(map[string]any{"items": []map[string]any{{"product_id": zorb.ID, "quantity": 5}}})
	req, err := shop.ParseOrder(raw)
	require.NoError(t, err)
	ordered := time.Now()
	_, err = s.PlaceOrder(ctx, u.ID, "sync-order-1", req, render)
	require.NoError(t, err)

	deadline := ordered.Add(30 * time.Second)
	for {
		if p := findOne(t, z.client(t, "products"), "zorb"); p.Stock == 0 {
			t.Logf("sold-out stock searchable %v after the order (sync every %v, plus Zinc's refresh)",
				time.Since(ordered).Round(100*time.Millisecond), search.SyncInterval)
			return
		}
		require.True(t, time.Now().Before(deadline), "the index still shows the old stock 30 s after the order")
		time.Sleep(200 * time.Millisecond)
	}
}

func findOne(t *testing.T, c *opensearch.Client, q string) shop.Product {
	t.Helper()
	pq, err := shop.ParseProductQuery(url.Values{"q": {q}})
	require.NoError(t, err)
	page, err := c.SearchProducts(context.Background(), pq)
	require.NoError(t, err)
	require.Len(t, page.Items, 1, "q=%s", q)
	return page.Items[0]
}
