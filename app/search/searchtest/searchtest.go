// Package searchtest is the contract every shop.ProductSearcher adapter passes: one catalog,
// one table of queries and the results they must give, and keyset pagination under every sort.
// An adapter's test calls Run with a Setup that loads the catalog into a fresh instance.
package searchtest

import (
	"context"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/app/shop"
)

// Setup loads catalog into a fresh, empty instance of the adapter under test and returns it.
// Products must be created in slice order, each newer than the one before (the newest sort).
// The searcher must see every product when Setup returns.
type Setup func(t *testing.T, catalog []shop.NewProduct) shop.ProductSearcher

// Catalog is the contract's catalog. Prices are distinct, so price sorts have no ties, and
// names compare the same bytewise and under any collation, so every engine agrees on name order.
func Catalog() []shop.NewProduct {
	p := func(sku, name, desc string, price int64, stock int, category string) shop.NewProduct {
		return shop.NewProduct{SKU: sku, Name: name, Description: desc, PriceCents: price, Currency: "USD",
			Stock: stock, Category: category}
	}
	return []shop.NewProduct{
		p("ZORB-1", "Zorblat Deluxe", "A gadget for the discerning collector.", 4999, 5, "gadgets"),
		p("TEE-RED", "Red T-Shirt", "Soft cotton tee.", 1999, 10, "apparel"),
		p("TEE-BLUE", "Blue T-Shirt", "A blue t-shirt, soft cotton tee.", 2199, 0, "apparel"),
		p("HOOD-GREY", "Grey Hoodie", "Warm fleece to wear over any shirt.", 5499, 3, "apparel"),
		p("MUG-BLUE", "Blue Mug", "Stoneware, 350 ml.", 1499, 7, "kitchen"),
		p("MUG-TALL", "Tall Mug", "Holds a lot of coffee.", 1799, 0, "kitchen"),
		p("PAN-CAST", "Cast Iron Pan", "Pre-seasoned skillet.", 4599, 2, "kitchen"),
		p("BOOK-GO", "Learning Go", "Programming in Go.", 3999, 4, "books"),
		p("BOOK-RUN", "Running Fast", "A book about runners and running.", 2999, 1, "books"),
		p("LAMP-DESK", "Desk Lamp", "Bright, dimmable light.", 3499, 0, "home"),
		p("TENT-2P", "Two-Person Tent", "Three-season shelter.", 24999, 2, "outdoor"),
		p("FREE-STK", "Sticker", "A free sticker.", 0, 100, "gadgets"),
		p("LUX-WATCH", "Luxury Watch", "Automatic movement.", 45000, 1, "gadgets"),
	}
}

// allPriceRanges are the price-range counts of the whole catalog.
var allPriceRanges = []int{1, 4, 5, 1, 1, 1}

// Run runs the contract against the adapter setup builds.
func Run(t *testing.T, setup Setup) {
	s := setup(t, Catalog())
	ctx := context.Background()
	search := func(t *testing.T, params url.Values) shop.ProductPage {
		t.Helper()
		q, err := shop.ParseProductQuery(params)
		require.NoError(t, err)
		page, err := s.SearchProducts(ctx, q)
		require.NoError(t, err)
		return page
	}
	t.Run("queries", func(t *testing.T) {
		for _, tt := range cases {
			t.Run(tt.name, func(t *testing.T) {
				params := tt.params
				params.Set("limit", "100")
				page := search(t, params)
				assert.Equal(t, tt.want, skus(page.Items), "items in order")
				assert.Equal(t, len(tt.want), page.Total, "total")
				assert.Nil(t, page.NextCursor)
				checkFacets(t, tt.facets, page.Facets)
			})
		}
	})
	t.Run("keyset pagination visits every match once, in order, under every sort", func(t *testing.T) {
		for _, params := range []url.Values{
			{"sort": {"name"}},
			{"sort": {"price_asc"}},
			{"sort": {"price_desc"}},
			{"sort": {"newest"}},
			{"q": {"blue"}},
			{"q": {"shirt"}, "sort": {"relevance"}},
			{"sort": {"price_asc"}, "in_stock": {"true"}, "min_price_cents": {"1000"}},
		} {
			t.Run(params.Encode(), func(t *testing.T) {
				all := url.Values{"limit": {"100"}}
				for k, v := range params {
					all[k] = v
				}
				want := search(t, all)
				var got []string
				cursor := ""
				for pages := 0; ; pages++ {
					require.LessOrEqual(t, pages, len(want.Items), "more pages than items")
					p := url.Values{"limit": {"2"}, "cursor": {cursor}}
					for k, v := range params {
						p[k] = v
					}
					page := search(t, p)
					assert.Equal(t, want.Total, page.Total, "every page reports the whole match")
					assert.LessOrEqual(t, len(page.Items), 2)
					got = append(got, skus(page.Items)...)
					if page.NextCursor == nil {
						break
					}
					cursor = *page.NextCursor
				}
				assert.Equal(t, skus(want.Items), got)
			})
		}
	})
}

// facets is what a case checks of the facets; nil fields are not checked.
type facets struct {
	categories  []shop.FacetCount
	priceRanges []int
	inStock     *shop.StockCount
}

func checkFacets(t *testing.T, want facets, got shop.Facets) {
	t.Helper()
	if want.categories != nil {
		assert.Equal(t, want.categories, got.Categories, "category facet")
	}
	require.Len(t, got.PriceRanges, len(shop.PriceRangeBounds))
	empty := shop.EmptyPriceRanges()
	counts := make([]int, len(got.PriceRanges))
	for i, r := range got.PriceRanges {
		assert.Equal(t, empty[i].MinCents, r.MinCents)
		assert.Equal(t, empty[i].MaxCents, r.MaxCents)
		counts[i] = r.Count
	}
	if want.priceRanges != nil {
		assert.Equal(t, want.priceRanges, counts, "price-range facet")
	}
	if want.inStock != nil {
		assert.Equal(t, *want.inStock, got.InStock, "in-stock facet")
	}
}

func skus(items []shop.Product) []string {
	out := []string{}
	for _, p := range items {
		out = append(out, p.SKU)
	}
	return out
}

func cats(kv ...any) []shop.FacetCount {
	out := []shop.FacetCount{}
	for i := 0; i < len(kv); i += 2 {
		out = append(out, shop.FacetCount{Value: kv[i].(string), Count: kv[i+1].(int)})
	}
	return out
}

var allNames = []string{"MUG-BLUE", "TEE-BLUE", "PAN-CAST", "LAMP-DESK", "HOOD-GREY", "BOOK-GO", "LUX-WATCH",
	"TEE-RED", "BOOK-RUN", "FREE-STK", "MUG-TALL", "TENT-2P", "ZORB-1"}

var cases = []struct {
	name   string
	params url.Values
	want   []string
	facets facets
}{
	{"the whole catalog, by name by default", url.Values{}, allNames, facets{
		categories:  cats("apparel", 3, "gadgets", 3, "kitchen", 3, "books", 2, "home", 1, "outdoor", 1),
		priceRanges: allPriceRanges,
		inStock:     &shop.StockCount{In: 10, Out: 3},
	}},
	{"typo", url.Values{"q": {"zorblt"}}, []string{"ZORB-1"}, facets{categories: cats("gadgets", 1)}},
	{"prefix", url.Values{"q": {"zorb"}}, []string{"ZORB-1"}, facets{}},
	{"case and plural: shirts finds T-Shirt, name above description", url.Values{"q": {"SHIRTS"}},
		[]string{"TEE-BLUE", "TEE-RED", "HOOD-GREY"}, facets{
			categories:  cats("apparel", 3),
			priceRanges: []int{0, 2, 0, 1, 0, 0},
			inStock:     &shop.StockCount{In: 2, Out: 1},
		}},
	{"stemming: runs finds running", url.Values{"q": {"runs"}}, []string{"BOOK-RUN"}, facets{}},
	{"description only", url.Values{"q": {"coffee"}}, []string{"MUG-TALL"}, facets{}},
	{"two words must both match", url.Values{"q": {"cast pan"}}, []string{"PAN-CAST"}, facets{}},
	{"SKU prefix", url.Values{"q": {"free-stk"}}, []string{"FREE-STK"}, facets{}},
	{"wildcards are literal", url.Values{"q": {"%"}}, []string{}, facets{
		categories:  cats(),
		priceRanges: []int{0, 0, 0, 0, 0, 0},
		inStock:     &shop.StockCount{},
	}},
	{"no match", url.Values{"q": {"xylophone"}}, []string{}, facets{categories: cats()}},
	{"category: its facet ignores the category filter, the others do not", url.Values{"category": {"apparel"}},
		[]string{"TEE-BLUE", "HOOD-GREY", "TEE-RED"}, facets{
			categories:  cats("apparel", 3, "gadgets", 3, "kitchen", 3, "books", 2, "home", 1, "outdoor", 1),
			priceRanges: []int{0, 2, 0, 1, 0, 0},
			inStock:     &shop.StockCount{In: 2, Out: 1},
		}},
	{"unknown category", url.Values{"category": {"nothing"}}, []string{}, facets{priceRanges: []int{0, 0, 0, 0, 0, 0}}},
	{"text within a category, by price", url.Values{"q": {"mug"}, "category": {"kitchen"}, "sort": {"price_desc"}},
		[]string{"MUG-TALL", "MUG-BLUE"}, facets{categories: cats("kitchen", 2)}},
	{"in stock only: its facet ignores the stock filter", url.Values{"q": {"mug"}, "in_stock": {"true"}},
		[]string{"MUG-BLUE"}, facets{inStock: &shop.StockCount{In: 1, Out: 1}, categories: cats("kitchen", 1)}},
	{"out of stock only", url.Values{"in_stock": {"false"}}, []string{"TEE-BLUE", "LAMP-DESK", "MUG-TALL"}, facets{
		inStock:    &shop.StockCount{In: 10, Out: 3},
		categories: cats("apparel", 1, "home", 1, "kitchen", 1),
	}},
	{"price range, both bounds inclusive: its facet ignores the price filter",
		url.Values{"min_price_cents": {"1499"}, "max_price_cents": {"2199"}, "sort": {"price_asc"}},
		[]string{"MUG-BLUE", "MUG-TALL", "TEE-RED", "TEE-BLUE"}, facets{
			categories:  cats("apparel", 2, "kitchen", 2),
			priceRanges: allPriceRanges,
			inStock:     &shop.StockCount{In: 2, Out: 2},
		}},
	{"free products", url.Values{"max_price_cents": {"0"}}, []string{"FREE-STK"}, facets{}},
	{"open-ended price", url.Values{"min_price_cents": {"25000"}}, []string{"LUX-WATCH"}, facets{}},
	{"every filter at once", url.Values{"q": {"cotton"}, "category": {"apparel"}, "in_stock": {"true"},
		"min_price_cents": {"1000"}, "max_price_cents": {"2499"}}, []string{"TEE-RED"}, facets{
		categories:  cats("apparel", 1),
		priceRanges: []int{0, 1, 0, 0, 0, 0},
		inStock:     &shop.StockCount{In: 1, Out: 1},
	}},
	{"price ascending", url.Values{"sort": {"price_asc"}}, []string{"FREE-STK", "MUG-BLUE", "MUG-TALL", "TEE-RED",
		"TEE-BLUE", "BOOK-RUN", "LAMP-DESK", "BOOK-GO", "PAN-CAST", "ZORB-1", "HOOD-GREY", "TENT-2P", "LUX-WATCH"}, facets{}},
	{"price descending", url.Values{"sort": {"price_desc"}}, []string{"LUX-WATCH", "TENT-2P", "HOOD-GREY", "ZORB-1",
		"PAN-CAST", "BOOK-GO", "LAMP-DESK", "BOOK-RUN", "TEE-BLUE", "TEE-RED", "MUG-TALL", "MUG-BLUE", "FREE-STK"}, facets{}},
	{"newest first", url.Values{"sort": {"newest"}}, []string{"LUX-WATCH", "FREE-STK", "TENT-2P", "LAMP-DESK", "BOOK-RUN",
		"BOOK-GO", "PAN-CAST", "MUG-TALL", "MUG-BLUE", "HOOD-GREY", "TEE-BLUE", "TEE-RED", "ZORB-1"}, facets{}},
	{"a text query sorted by name", url.Values{"q": {"blue"}, "sort": {"name"}}, []string{"MUG-BLUE", "TEE-BLUE"}, facets{}},
}
