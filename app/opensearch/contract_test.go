package opensearch_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/app/search/searchtest"
	"github.com/shopstack/shopstack/app/shop"
)

// Why cases fail on ZincSearch v0.4.10: features of the OpenSearch query DSL the adapter uses
// and Zinc lacks (read in its source, pkg/meta/query_dsl.go and pkg/uquery), or answers that
// differ (observed). The adapter is not bent towards Zinc: these are Zinc's gaps.
const (
	noPostFilter = "Zinc ignores post_filter (its query DSL has no such field): category, price and stock filters do not narrow the hits"
	noFilterAggs = "Zinc has no filter/filters aggregations (terms, range and histograms only): every facet comes back empty"
	noSortValues = "Zinc answers hits without their sort values and has no search_after: no keyset cursor beyond the first page"
	noKeywordSub = "Zinc does not sort by the name.sort keyword subfield: the name order is not by name"
	noFuzziness  = "Zinc's multi_match ignores fuzziness: zorblt finds nothing"
	textMatch    = "Zinc's multi_match (operator and over name^3 and description) matches differently than OpenSearch's"
)

// zincUnsupported are the contract cases Zinc gets wrong, each with its first reason. The
// contract runs them anyway and requires each to fail, so the list cannot go stale.
var zincUnsupported = map[string]string{
	"the whole catalog, by name by default": noFilterAggs + "; " + noKeywordSub,
	"typo":                                  noFuzziness + "; " + noFilterAggs,
	"case and plural: shirts finds T-Shirt, name above description":      textMatch + " (Red T-Shirt is not found); " + noFilterAggs,
	"two words must both match":                                          textMatch + " (cast pan finds nothing)",
	"category: its facet ignores the category filter, the others do not": noPostFilter + "; " + noFilterAggs,
	"unknown category":                                  noPostFilter,
	"text within a category, by price":                  noFilterAggs,
	"in stock only: its facet ignores the stock filter": noPostFilter + "; " + noFilterAggs,
	"out of stock only":                                 noPostFilter + "; " + noFilterAggs,
	"price range, both bounds inclusive: its facet ignores the price filter": noPostFilter + "; " + noFilterAggs,
	"free products":               noPostFilter,
	"open-ended price":            noPostFilter,
	"every filter at once":        noPostFilter + "; " + noFilterAggs,
	"a text query sorted by name": noKeywordSub + "; " + textMatch + " (blue does not find Blue Mug)",
	"sort=name":                   noSortValues,
	"sort=price_asc":              noSortValues,
	"sort=price_desc":             noSortValues,
	"sort=newest":                 noSortValues,
	"in_stock=true&min_price_cents=1000&sort=price_asc": noSortValues + "; " + noPostFilter,
}

// TestSearchContractOnZinc runs the shared search contract against the OpenSearch adapter on a
// real search server: ZincSearch's Elasticsearch-compatible API, loaded by the adapter's own
// Reindex (PUT of the mapping, _bulk, _refresh, the alias swap) from a real PostgreSQL. The
// cases Zinc cannot pass are listed above and must fail; the others must pass.
func TestSearchContractOnZinc(t *testing.T) {
	z := startZinc(t)
	searchtest.RunWith(t, func(t *testing.T, catalog []shop.NewProduct) shop.ProductSearcher {
		s := newStore(t)
		loadCatalog(t, s, catalog)
		c := z.client(t, "products")
		_, err := c.Reindex(context.Background(), s, time.Now(), discardLog())
		require.NoError(t, err)
		z.waitVisible(t, c.Index(), len(catalog))
		return c
	}, searchtest.Options{Unsupported: zincUnsupported})
}
