package search_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/app/postgres"
	"github.com/shopstack/shopstack/app/search"
	"github.com/shopstack/shopstack/app/shop"
	"github.com/shopstack/shopstack/internal/pgtest"
)

// deadEngine stands in for an OpenSearch domain that fails every request with err.
type deadEngine struct{ err error }

func (d deadEngine) SearchProducts(context.Context, shop.ProductQuery) (shop.ProductPage, error) {
	return shop.ProductPage{}, d.err
}

// TestFallbackServesTheCatalogFromPostgreSQL: with the search engine failing (unreachable, or no
// index before the first reindex), the catalog still answers, from PostgreSQL, with one WARN per
// interval; a shopper's bad query is not retried elsewhere.
func TestFallbackServesTheCatalogFromPostgreSQL(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	store, err := postgres.Open(ctx, pgtest.NewDatabase(t), 4, log)
	require.NoError(t, err)
	t.Cleanup(store.Close)
	_, err = store.Migrate(ctx)
	require.NoError(t, err)
	_, err = store.CreateProduct(ctx, shop.NewProduct{SKU: "FALLBACK-1", Name: "Zorblat Mug", PriceCents: 900,
		Currency: "USD", Stock: 3, Category: "kitchen"})
	require.NoError(t, err)

	f := &search.Fallback{Primary: deadEngine{errors.New("opensearch: POST /products/_search: 404 index_not_found_exception")},
		Secondary: store, Log: log, LogEvery: time.Hour}
	for range 3 {
		page, err := f.SearchProducts(ctx, shop.ProductQuery{Q: "zorblat", Sort: shop.SortRelevance, Limit: 10})
		require.NoError(t, err)
		require.Len(t, page.Items, 1)
		assert.Equal(t, "FALLBACK-1", page.Items[0].SKU)
	}
	assert.Equal(t, 1, strings.Count(logs.String(), `"level":"WARN"`), logs.String())

	bad := shop.Errorf(shop.CodeInvalidInput, "bad cursor")
	f = &search.Fallback{Primary: deadEngine{bad}, Secondary: store, Log: log, LogEvery: time.Hour}
	_, err = f.SearchProducts(ctx, shop.ProductQuery{Sort: shop.SortName, Limit: 10})
	assert.Equal(t, bad, err, "the shopper's error, not PostgreSQL's answer")
}
