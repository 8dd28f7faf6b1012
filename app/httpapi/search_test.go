package httpapi_test

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/app/shop"
)

func TestProductSearch(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	get := func(t *testing.T, query string) shop.ProductPage {
		t.Helper()
		c := *c
		c.t = t
		r := c.do("GET", "/api/products?"+query, nil)
		require.Equal(t, http.StatusOK, r.status, string(r.body))
		var page shop.ProductPage
		r.json(t, &page)
		return page
	}

	t.Run("text query with facets", func(t *testing.T) {
		page := get(t, "q=shirts")
		require.GreaterOrEqual(t, len(page.Items), 2)
		names := map[string]bool{page.Items[0].Name: true, page.Items[1].Name: true}
		assert.Equal(t, map[string]bool{"Classic T-Shirt": true, "Pocket T-Shirt": true}, names, "the T-shirts rank first")
		assert.Equal(t, len(page.Items), page.Total)
		assert.Equal(t, []shop.FacetCount{{Value: "apparel", Count: page.Total}}, page.Facets.Categories)
		assert.Equal(t, page.Total, page.Facets.InStock.In+page.Facets.InStock.Out)
	})
	t.Run("category counts ignore the category filter", func(t *testing.T) {
		page := get(t, "category=books&sort=price_desc&limit=2")
		assert.Equal(t, 6, page.Total)
		assert.Len(t, page.Items, 2)
		assert.NotNil(t, page.NextCursor)
		assert.GreaterOrEqual(t, len(page.Facets.Categories), 6)
		sum := 0
		for _, r := range page.Facets.PriceRanges {
			sum += r.Count
		}
		assert.Equal(t, 6, sum, "the price ranges apply the category filter")
		next := get(t, "category=books&sort=price_desc&limit=2&cursor="+url.QueryEscape(*page.NextCursor))
		assert.LessOrEqual(t, next.Items[0].PriceCents, page.Items[1].PriceCents)
	})

	b64 := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	id := "00000000-0000-4000-8000-000000000000"
	for _, tt := range []struct{ query, field string }{
		{"min_price_cents=abc", "min_price_cents"},
		{"max_price_cents=-5", "max_price_cents"},
		{"min_price_cents=10&max_price_cents=9", "max_price_cents"},
		{"in_stock=1", "in_stock"},
		{"sort=cheapest", "sort"},
		{"sort=relevance", "sort"},
		{"limit=0", "limit"},
		{"category=" + url.QueryEscape("x'; DROP TABLE products; --"), "category"},
		{"cursor=" + b64(`{"s":"name","n":"x","i":"' OR 1=1 --"}`), "cursor"},
		{"cursor=" + b64(`{"s":"name","n":7,"i":"`+id+`"}`), "cursor"},
		{"sort=newest&cursor=" + b64(`{"s":"newest","t":1e300,"i":"`+id+`"}`), "cursor"},
		{"q=x&cursor=" + b64(`{"s":"relevance","r":"NaN","i":"`+id+`"}`), "cursor"},
		{"sort=price_asc&cursor=" + b64(`{"s":"name","n":"x","i":"`+id+`"}`), "cursor"},
		{"cursor=" + b64(`[]`), "cursor"},
		{"cursor=%00", "cursor"},
	} {
		t.Run("422 names the parameter: "+tt.query, func(t *testing.T) {
			c := *c
			c.t = t
			r := c.do("GET", "/api/products?"+tt.query, nil)
			require.Equal(t, http.StatusUnprocessableEntity, r.status, string(r.body))
			var e struct {
				Error struct {
					Code    string            `json:"code"`
					Details []shop.FieldError `json:"details"`
				} `json:"error"`
			}
			r.json(t, &e)
			assert.Equal(t, "invalid_input", e.Error.Code)
			require.NotEmpty(t, e.Error.Details)
			assert.Equal(t, tt.field, e.Error.Details[0].Field)
		})
	}
	t.Run("a cursor forged with valid types pages from where it says, never 500", func(t *testing.T) {
		for _, cur := range []shop.ProductCursor{
			{Sort: shop.SortNewest, Micro: new(int64), ID: id},
			{Sort: shop.SortPriceAsc, Price: ptr(int64(-1) << 62), ID: id},
		} {
			page := get(t, "sort="+string(cur.Sort)+"&cursor="+cur.Encode())
			assert.NotNil(t, page.Items)
		}
	})
}

func ptr[T any](v T) *T { return &v }
