package shop_test

import (
	"encoding/base64"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/app/shop"
)

func ptr[T any](v T) *T { return &v }

func TestParseProductQuery(t *testing.T) {
	t.Parallel()
	cursor := shop.ProductCursor{Sort: shop.SortPriceAsc, Price: ptr[int64](1999), ID: idA}.Encode()
	q, err := shop.ParseProductQuery(url.Values{
		"q": {" mug "}, "category": {"kitchen"}, "min_price_cents": {"100"}, "max_price_cents": {"100"},
		"in_stock": {"false"}, "sort": {"price_asc"}, "limit": {"5"}, "cursor": {cursor}, "utm_source": {"x"},
	})
	require.NoError(t, err)
	assert.Equal(t, shop.ProductQuery{Q: "mug", Category: "kitchen", MinPriceCents: ptr[int64](100),
		MaxPriceCents: ptr[int64](100), InStock: ptr(false), Sort: shop.SortPriceAsc, Limit: 5,
		After: &shop.ProductCursor{Sort: shop.SortPriceAsc, Price: ptr[int64](1999), ID: idA}}, q)

	t.Run("defaults: name without q, relevance with it", func(t *testing.T) {
		q, err := shop.ParseProductQuery(url.Values{})
		require.NoError(t, err)
		assert.Equal(t, shop.ProductQuery{Sort: shop.SortName, Limit: shop.DefaultPageLimit}, q)
		q, err = shop.ParseProductQuery(url.Values{"q": {"mug"}})
		require.NoError(t, err)
		assert.Equal(t, shop.SortRelevance, q.Sort)
	})

	b64 := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	for _, tt := range []struct {
		name   string
		params url.Values
		field  string
	}{
		{"limit 0", url.Values{"limit": {"0"}}, "limit"},
		{"limit 101", url.Values{"limit": {"101"}}, "limit"},
		{"limit word", url.Values{"limit": {"ten"}}, "limit"},
		{"category", url.Values{"category": {"Bad Cat"}}, "category"},
		{"q too long", url.Values{"q": {strings.Repeat("x", 101)}}, "q"},
		{"min price word", url.Values{"min_price_cents": {"cheap"}}, "min_price_cents"},
		{"min price negative", url.Values{"min_price_cents": {"-1"}}, "min_price_cents"},
		{"max price too large", url.Values{"max_price_cents": {"99999999999999"}}, "max_price_cents"},
		{"max below min", url.Values{"min_price_cents": {"500"}, "max_price_cents": {"499"}}, "max_price_cents"},
		{"in_stock", url.Values{"in_stock": {"yes"}}, "in_stock"},
		{"sort unknown", url.Values{"sort": {"price"}}, "sort"},
		{"relevance without q", url.Values{"sort": {"relevance"}}, "sort"},
		{"cursor not base64", url.Values{"cursor": {"!!"}}, "cursor"},
		{"cursor not JSON", url.Values{"cursor": {b64("zzz")}}, "cursor"},
		{"cursor unknown field", url.Values{"cursor": {b64(`{"s":"name","n":"a","i":"` + idA + `","x":1}`)}}, "cursor"},
		{"cursor bad id", url.Values{"cursor": {b64(`{"s":"name","n":"a","i":"1 OR 1=1"}`)}}, "cursor"},
		{"cursor without key", url.Values{"cursor": {b64(`{"s":"name","i":"` + idA + `"}`)}}, "cursor"},
		{"cursor with the wrong key", url.Values{"cursor": {b64(`{"s":"name","p":5,"i":"` + idA + `"}`)}}, "cursor"},
		{"cursor with two keys", url.Values{"cursor": {b64(`{"s":"name","n":"a","p":5,"i":"` + idA + `"}`)}}, "cursor"},
		{"cursor key of the wrong type", url.Values{"sort": {"price_asc"}, "cursor": {b64(`{"s":"price_asc","p":"5","i":"` + idA + `"}`)}}, "cursor"},
		{"cursor of another sort", url.Values{"sort": {"newest"}, "cursor": {shop.ProductCursor{Sort: shop.SortName, Name: ptr("a"), ID: idA}.Encode()}}, "cursor"},
		{"cursor of an unknown sort", url.Values{"cursor": {b64(`{"s":"evil","n":"a","i":"` + idA + `"}`)}}, "cursor"},
		{"cursor score overflow", url.Values{"q": {"x"}, "cursor": {b64(`{"s":"relevance","r":1e999,"i":"` + idA + `"}`)}}, "cursor"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := shop.ParseProductQuery(tt.params)
			var e *shop.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, shop.CodeInvalidInput, e.Code)
			assert.Equal(t, tt.field, e.Details.([]shop.FieldError)[0].Field)
		})
	}
}

func TestPriceRanges(t *testing.T) {
	t.Parallel()
	r := shop.EmptyPriceRanges()
	require.Len(t, r, len(shop.PriceRangeBounds))
	assert.Equal(t, int64(0), r[0].MinCents)
	assert.Equal(t, int64(999), *r[0].MaxCents)
	assert.Nil(t, r[len(r)-1].MaxCents)
	for i := 1; i < len(r); i++ {
		assert.Equal(t, *r[i-1].MaxCents+1, r[i].MinCents, "the buckets are contiguous")
	}
}
