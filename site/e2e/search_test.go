package e2e_test

import (
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Faceted search: the result count, category counts that ignore the chosen
// category, the in-stock toggle, a price range from the facets, and sort.
func TestSearchFacets(t *testing.T) {
	for _, p := range []map[string]any{
		{"sku": "E2E-ZEPHYR-LAMP", "name": "Zephyr Lamp", "price_cents": 1500, "stock": 5, "category": "e2e-zlight"},
		{"sku": "E2E-ZEPHYR-LANTERN", "name": "Zephyr Lantern", "price_cents": 30000, "stock": 0, "category": "e2e-zlight"},
		{"sku": "E2E-ZEPHYR-KITE", "name": "Zephyr Kite", "price_cents": 900, "stock": 2, "category": "e2e-zgames"},
	} {
		p["description"], p["currency"] = "A product made for the search test.", "USD"
		require.NoError(t, admin.call(http.MethodPost, "/api/admin/products", p, nil, http.StatusCreated))
	}
	tb := newTab(t)
	names := func() []string {
		return eval[[]string](tb, `[...document.querySelectorAll('.card-name')].map(e => e.innerText)`)
	}
	option := func(sel, value string) string {
		return eval[string](tb, `(() => { const o = [...document.querySelectorAll('`+sel+` option')].find(o => o.value === '`+value+`'); return o ? o.textContent : '' })()`)
	}
	submit := func() { tb.click("form.filters button[type=submit]") }

	// A typo still finds all three; the count is the whole match.
	tb.open("/?q=zephir")
	tb.until("three results", `document.querySelector('#result-count').innerText === '3 results' && document.querySelectorAll('.card').length === 3`)
	assert.Equal(t, "E2e zlight (2)", option("#category", "e2e-zlight"))
	assert.Equal(t, "E2e zgames (1)", option("#category", "e2e-zgames"))
	assert.Equal(t, "Best match", eval[string](tb, `document.querySelector('#sort').selectedOptions[0].textContent`))
	tb.shot("search-facets")

	// Category: the other category keeps its count, so the shopper can switch.
	tb.do(chromedp.SetValue(chromedp.CSS("#category"), "e2e-zlight"))
	submit()
	tb.until("the category's two", `location.search.includes('category=e2e-zlight') && document.querySelector('#result-count').innerText === '2 results'`)
	assert.ElementsMatch(t, []string{"Zephyr Lamp", "Zephyr Lantern"}, names())
	assert.Equal(t, "E2e zgames (1)", option("#category", "e2e-zgames"))
	assert.Equal(t, "In stock only (1)", tb.text("label[for=in-stock]"))

	// In stock only.
	tb.click("#in-stock")
	submit()
	tb.until("the one in stock", `location.search.includes('in_stock=true') && document.querySelector('#result-count').innerText === '1 result'`)
	assert.Equal(t, []string{"Zephyr Lamp"}, names())
	assert.Equal(t, "$250.00 and up (0)", option("#price", "25000-"), "the price facet applies the stock filter")
	tb.click("#in-stock")
	submit()
	tb.until("both again", `!location.search.includes('in_stock') && document.querySelector('#result-count').innerText === '2 results'`)

	// A price range offered by the facets, with its count.
	assert.Equal(t, "$250.00 and up (1)", option("#price", "25000-"))
	tb.do(chromedp.SetValue(chromedp.CSS("#price"), "25000-"))
	submit()
	tb.until("the dear one", `location.search.includes('min_price_cents=25000') && !location.search.includes('in_stock') && document.querySelector('#result-count').innerText === '1 result'`)
	assert.Equal(t, []string{"Zephyr Lantern"}, names())

	// Sort by price, highest first, without the price filter.
	tb.do(chromedp.SetValue(chromedp.CSS("#price"), ""))
	tb.do(chromedp.SetValue(chromedp.CSS("#sort"), "price_desc"))
	submit()
	tb.until("sorted by price", `location.search.includes('sort=price_desc') && !location.search.includes('min_price') && document.querySelectorAll('.card').length === 2`)
	assert.Equal(t, []string{"Zephyr Lantern", "Zephyr Lamp"}, names())
}
