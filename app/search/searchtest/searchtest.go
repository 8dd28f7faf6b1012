// Package searchtest is the contract every shop.ProductSearcher adapter passes: one catalog,
// one table of queries and the results they must give, and keyset pagination under every sort.
// An adapter's test calls Run with a Setup that loads the catalog into a fresh instance.
package searchtest

import (
	"context"
	"fmt"
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

// Run runs the contract against the adapter setup builds: every case must pass.
func Run(t *testing.T, setup Setup) {
	RunWith(t, setup, Options{})
}

// Options adapt the contract to a stand-in engine that lacks features the real one has.
type Options struct {
	// Unsupported names cases (a query case's name, or a pagination case's encoded parameters)
	// the engine under test is known to get wrong, each with the reason. They still run, and
	// each must still fail: a listed case that passes fails the test, so the list stays exact.
	Unsupported map[string]string
}

// RunWith runs the contract with opts.
func RunWith(t *testing.T, setup Setup, opts Options) {
	s := setup(t, Catalog())
	ctx := context.Background()
	search := func(t *testing.T, params url.Values) (shop.ProductPage, error) {
		t.Helper()
		q, err := shop.ParseProductQuery(params)
		require.NoError(t, err)
		return s.SearchProducts(ctx, q)
	}
	seen := map[string]bool{}
	judge := func(t *testing.T, name string, m mismatches) {
		t.Helper()
		seen[name] = true
		errs, note := verdict(name, m, opts.Unsupported)
		if note != "" {
			t.Log(note)
		}
		for _, e := range errs {
			t.Error(e)
		}
	}
	t.Run("queries", func(t *testing.T) {
		for _, tt := range cases {
			t.Run(tt.name, func(t *testing.T) {
				params := url.Values{"limit": {"100"}}
				for k, v := range tt.params {
					params[k] = v
				}
				page, err := search(t, params)
				if err != nil {
					judge(t, tt.name, mismatches{"search: " + err.Error()})
					return
				}
				judge(t, tt.name, checkCase(tt.want, tt.facets, page))
			})
		}
	})
	t.Run("keyset pagination visits every match once, in order, under every sort", func(t *testing.T) {
		for _, params := range paginationCases {
			name := params.Encode()
			t.Run(name, func(t *testing.T) {
				judge(t, name, checkPagination(t, params, search))
			})
		}
	})
	for name := range opts.Unsupported {
		assert.True(t, seen[name], "Options.Unsupported names %q, which is no case of the contract", name)
	}
}

// verdict turns a case's mismatches into the test's errors: each mismatch of a supported case,
// or for a case listed as unsupported, none unless it passes (then the list is wrong); note says
// why an unsupported case's failure is expected.
func verdict(name string, m mismatches, unsupported map[string]string) (errs []string, note string) {
	why, listed := unsupported[name]
	switch {
	case listed && len(m) == 0:
		return []string{fmt.Sprintf("%q is listed as unsupported (%s) but passes: remove it from the list", name, why)}, ""
	case listed:
		return nil, fmt.Sprintf("unsupported by this engine (%s), fails as expected: %v", why, m)
	}
	return m, ""
}

var paginationCases = []url.Values{
	{"sort": {"name"}},
	{"sort": {"price_asc"}},
	{"sort": {"price_desc"}},
	{"sort": {"newest"}},
	{"q": {"blue"}},
	{"q": {"shirt"}, "sort": {"relevance"}},
	{"sort": {"price_asc"}, "in_stock": {"true"}, "min_price_cents": {"1000"}},
}

// mismatches are the differences between what a case wants and what the engine answered.
type mismatches []string

func (m *mismatches) check(what string, want, got any) {
	if !assert.ObjectsAreEqual(want, got) {
		*m = append(*m, fmt.Sprintf("%s: want %v, got %v", what, want, got))
	}
}

func checkCase(want []string, f facets, page shop.ProductPage) mismatches {
	var m mismatches
	m.check("items in order", want, skus(page.Items))
	m.check("total", len(want), page.Total)
	m.check("next cursor", true, page.NextCursor == nil)
	checkFacets(&m, f, page.Facets)
	return m
}

// checkPagination pages through params 2 at a time and compares with the single page.
func checkPagination(t *testing.T, params url.Values,
	search func(*testing.T, url.Values) (shop.ProductPage, error)) mismatches {
	var m mismatches
	all := url.Values{"limit": {"100"}}
	for k, v := range params {
		all[k] = v
	}
	want, err := search(t, all)
	if err != nil {
		return mismatches{"single page: " + err.Error()}
	}
	got := []string{}
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > len(want.Items) {
			m = append(m, fmt.Sprintf("more pages than the %d items", len(want.Items)))
			break
		}
		p := url.Values{"limit": {"2"}, "cursor": {cursor}}
		for k, v := range params {
			p[k] = v
		}
		page, err := search(t, p)
		if err != nil {
			return append(m, fmt.Sprintf("page %d: %v", pages, err))
		}
		m.check(fmt.Sprintf("page %d total (every page reports the whole match)", pages), want.Total, page.Total)
		if len(page.Items) > 2 {
			m = append(m, fmt.Sprintf("page %d has %d items, limit 2", pages, len(page.Items)))
		}
		got = append(got, skus(page.Items)...)
		if page.NextCursor == nil {
			break
		}
		cursor = *page.NextCursor
	}
	m.check("items over all pages", skus(want.Items), got)
	return m
}

// facets is what a case checks of the facets; nil fields are not checked.
type facets struct {
	categories  []shop.FacetCount
	priceRanges []int
	inStock     *shop.StockCount
}

func checkFacets(m *mismatches, want facets, got shop.Facets) {
	if want.categories != nil {
		m.check("category facet", want.categories, got.Categories)
	}
	empty := shop.EmptyPriceRanges()
	if len(got.PriceRanges) != len(empty) {
		*m = append(*m, fmt.Sprintf("price ranges: %d buckets, want %d", len(got.PriceRanges), len(empty)))
		return
	}
	counts := make([]int, len(got.PriceRanges))
	for i, r := range got.PriceRanges {
		m.check(fmt.Sprintf("price range %d min", i), empty[i].MinCents, r.MinCents)
		m.check(fmt.Sprintf("price range %d max", i), empty[i].MaxCents, r.MaxCents)
		counts[i] = r.Count
	}
	if want.priceRanges != nil {
		m.check("price-range facet", want.priceRanges, counts)
	}
	if want.inStock != nil {
		m.check("in-stock facet", *want.inStock, got.InStock)
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
	for i := 0; i+1 < len(kv); i += 2 {
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
