package searchtest

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/shopstack/shopstack/app/shop"
)

func page(skus ...string) shop.ProductPage {
	p := shop.ProductPage{Items: []shop.Product{}, Total: len(skus),
		Facets: shop.Facets{Categories: []shop.FacetCount{}, PriceRanges: shop.EmptyPriceRanges()}}
	for _, s := range skus {
		p.Items = append(p.Items, shop.Product{SKU: s})
	}
	return p
}

// A case's check finds every difference: items, order, total, a cursor, facets.
func TestCheckCase(t *testing.T) {
	assert.Empty(t, checkCase([]string{"A", "B"}, facets{}, page("A", "B")))
	assert.NotEmpty(t, checkCase([]string{"A", "B"}, facets{}, page("B", "A")), "order")
	wrongTotal := page("A")
	wrongTotal.Total = 2
	assert.NotEmpty(t, checkCase([]string{"A"}, facets{}, wrongTotal), "total")
	withCursor := page("A")
	c := "next"
	withCursor.NextCursor = &c
	assert.NotEmpty(t, checkCase([]string{"A"}, facets{}, withCursor), "a single page has no next cursor")
	assert.NotEmpty(t, checkCase([]string{"A"}, facets{categories: cats("x", 1)}, page("A")), "category facet")
	assert.NotEmpty(t, checkCase([]string{"A"}, facets{inStock: &shop.StockCount{In: 1}}, page("A")), "stock facet")
	noBuckets := page("A")
	noBuckets.Facets.PriceRanges = nil
	assert.NotEmpty(t, checkCase([]string{"A"}, facets{}, noBuckets), "price buckets missing")
}

// A supported case fails on any mismatch; an unsupported one must fail, and passing is an error.
func TestVerdict(t *testing.T) {
	list := map[string]string{"gap": "the engine lacks it"}
	errs, note := verdict("ok", nil, list)
	assert.Empty(t, errs)
	assert.Empty(t, note)
	errs, _ = verdict("ok", mismatches{"total: want 1, got 2"}, list)
	assert.Equal(t, []string{"total: want 1, got 2"}, errs)
	errs, note = verdict("gap", mismatches{"total: want 1, got 2"}, list)
	assert.Empty(t, errs)
	assert.Contains(t, note, "the engine lacks it")
	errs, _ = verdict("gap", nil, list)
	assert.Len(t, errs, 1)
	assert.Contains(t, errs[0], "remove it from the list")
}
