package opensearch

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/app/shop"
)

const (
	idMugBlue = "0195f6a0-0000-7000-8000-000000000001"
	idMugTall = "0195f6a0-0000-7000-8000-000000000002"
	idTeeRed  = "0195f6a0-0000-7000-8000-000000000003"
)

func parse(t *testing.T, params url.Values) shop.ProductQuery {
	t.Helper()
	q, err := shop.ParseProductQuery(params)
	require.NoError(t, err)
	return q
}

// The aggregations every search sends, with the three facet filters as given.
func aggsJSON(categories, prices, stock string) string {
	return `{
		"categories": {"filter": ` + categories + `, "aggs": {"values": {"terms": {"field": "category", "size": 1000}}}},
		"price_ranges": {"filter": ` + prices + `, "aggs": {"buckets": {"range": {"field": "price_cents", "ranges": [
			{"from": 0, "to": 1000}, {"from": 1000, "to": 2500}, {"from": 2500, "to": 5000},
			{"from": 5000, "to": 10000}, {"from": 10000, "to": 25000}, {"from": 25000}]}}}},
		"in_stock": {"filter": ` + stock + `, "aggs": {"stock": {"filters": {"filters": {
			"in": {"range": {"stock": {"gt": 0}}}, "out": {"term": {"stock": 0}}}}}}}
	}`
}

// A _search answer as OpenSearch documents it: hits.total as an object (track_total_hits),
// each hit with _source and its sort values, aggregations named as the request named them, the
// range buckets in request order and the filters buckets keyed.
const mugSearchResponse = `{
	"took": 4, "timed_out": false,
	"_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
	"hits": {
		"total": {"value": 3, "relation": "eq"}, "max_score": null,
		"hits": [
			{"_index": "products-20260101t000000.000000", "_id": "` + idMugBlue + `", "_score": null,
			 "_source": {"id": "` + idMugBlue + `", "sku": "MUG-BLUE", "name": "Blue Mug", "description": "Stoneware, 350 ml.",
				"price_cents": 1499, "currency": "USD", "stock": 7, "category": "kitchen", "image_url": "", "images": null,
				"created_at": 1767225600000000, "version": 1},
			 "sort": [1499, "` + idMugBlue + `"]},
			{"_index": "products-20260101t000000.000000", "_id": "` + idMugTall + `", "_score": null,
			 "_source": {"id": "` + idMugTall + `", "sku": "MUG-TALL", "name": "Tall Mug", "description": "Holds a lot of coffee.",
				"price_cents": 1799, "currency": "USD", "stock": 3, "category": "kitchen",
				"image_url": "/media/products/tall/2/card.jpg", "images": {"thumb": "/media/products/tall/2/thumb.jpg",
					"card": "/media/products/tall/2/card.jpg", "full": "/media/products/tall/2/full.jpg"},
				"created_at": 1767225660000000, "version": 4},
			 "sort": [1799, "` + idMugTall + `"]},
			{"_index": "products-20260101t000000.000000", "_id": "` + idTeeRed + `", "_score": null,
			 "_source": {"id": "` + idTeeRed + `", "sku": "MUG-RED", "name": "Red Mug", "description": "",
				"price_cents": 1999, "currency": "USD", "stock": 1, "category": "kitchen", "image_url": "", "images": null,
				"created_at": 1767225720000000, "version": 2},
			 "sort": [1999, "` + idTeeRed + `"]}
		]
	},
	"aggregations": {
		"categories": {"doc_count": 4, "values": {"doc_count_error_upper_bound": 0, "sum_other_doc_count": 0,
			"buckets": [{"key": "kitchen", "doc_count": 3}, {"key": "gifts", "doc_count": 1}]}},
		"price_ranges": {"doc_count": 5, "buckets": {"buckets": [
			{"key": "0.0-1000.0", "from": 0.0, "to": 1000.0, "doc_count": 0},
			{"key": "1000.0-2500.0", "from": 1000.0, "to": 2500.0, "doc_count": 4},
			{"key": "2500.0-5000.0", "from": 2500.0, "to": 5000.0, "doc_count": 0},
			{"key": "5000.0-10000.0", "from": 5000.0, "to": 10000.0, "doc_count": 1},
			{"key": "10000.0-25000.0", "from": 10000.0, "to": 25000.0, "doc_count": 0},
			{"key": "25000.0-*", "from": 25000.0, "doc_count": 0}]}},
		"in_stock": {"doc_count": 4, "stock": {"buckets": {"in": {"doc_count": 3}, "out": {"doc_count": 1}}}}
	}
}`

func TestSearchEveryFilterSortAndCursor(t *testing.T) {
	f := newFake(t, reply{"POST /products/_search", 200, mugSearchResponse})
	after := shop.ProductCursor{Sort: shop.SortPriceAsc, Price: new(int64(1000)), ID: idMugBlue}
	q := parse(t, url.Values{"q": {"mug"}, "category": {"kitchen"}, "min_price_cents": {"1000"},
		"max_price_cents": {"5000"}, "in_stock": {"true"}, "sort": {"price_asc"}, "limit": {"2"},
		"cursor": {after.Encode()}})
	page, err := f.client(t).SearchProducts(context.Background(), q)
	require.NoError(t, err)

	reqs := f.requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "application/json", reqs[0].Header.Get("Content-Type"))
	cat := `{"term": {"category": "kitchen"}}`
	price := `{"range": {"price_cents": {"gte": 1000, "lte": 5000}}}`
	stock := `{"range": {"stock": {"gt": 0}}}`
	and := func(fs ...string) string {
		s := `{"bool": {"filter": [`
		for i, f := range fs {
			if i > 0 {
				s += ","
			}
			s += f
		}
		return s + `]}}`
	}
	assertJSON(t, `{
		"query": {"bool": {"should": [
			{"multi_match": {"query": "mug", "fields": ["name^3", "description"], "type": "best_fields",
				"operator": "and", "fuzziness": "AUTO"}},
			{"multi_match": {"query": "mug", "fields": ["name^3", "description"], "type": "bool_prefix", "operator": "and"}},
			{"prefix": {"sku": {"value": "MUG"}}}
		], "minimum_should_match": 1}},
		"post_filter": `+and(cat, price, stock)+`,
		"aggs": `+aggsJSON(and(price, stock), and(cat, stock), and(cat, price))+`,
		"sort": [{"price_cents": {"order": "asc"}}, {"id": {"order": "asc"}}],
		"search_after": [1000, "`+idMugBlue+`"],
		"size": 3,
		"track_total_hits": true
	}`, reqs[0].Body, "the whole search body")

	assert.Equal(t, 3, page.Total)
	require.Len(t, page.Items, 2, "limit+1 hits: the extra one only says there is a next page")
	assert.Nil(t, page.Items[0].Images, "images null: no processed upload")
	assert.Equal(t, shop.Product{ID: idMugTall, SKU: "MUG-TALL", Name: "Tall Mug", Description: "Holds a lot of coffee.",
		PriceCents: 1799, Currency: "USD", Stock: 3, Category: "kitchen", ImageURL: "/media/products/tall/2/card.jpg",
		Images: &shop.ProductImages{Thumb: "/media/products/tall/2/thumb.jpg", Card: "/media/products/tall/2/card.jpg",
			Full: "/media/products/tall/2/full.jpg"}}, page.Items[1], "the hit, pictures included")
	require.NotNil(t, page.NextCursor)
	assert.Equal(t, shop.ProductCursor{Sort: shop.SortPriceAsc, Price: new(int64(1799)), ID: idMugTall}, decodeCursor(t, *page.NextCursor))
	assert.Equal(t, []shop.FacetCount{{Value: "kitchen", Count: 3}, {Value: "gifts", Count: 1}}, page.Facets.Categories)
	counts := []int{}
	for _, r := range page.Facets.PriceRanges {
		counts = append(counts, r.Count)
	}
	assert.Equal(t, []int{0, 4, 0, 1, 0, 0}, counts)
	assert.Equal(t, shop.EmptyPriceRanges()[5].MaxCents, page.Facets.PriceRanges[5].MaxCents)
	assert.Equal(t, shop.StockCount{In: 3, Out: 1}, page.Facets.InStock)
}

func decodeCursor(t *testing.T, s string) shop.ProductCursor {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(s)
	require.NoError(t, err)
	var c shop.ProductCursor
	require.NoError(t, json.Unmarshal(raw, &c))
	return c
}

// An empty match, as OpenSearch answers it: no hits, empty buckets, zero doc counts.
const emptySearchResponse = `{
	"took": 1, "timed_out": false,
	"_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
	"hits": {"total": {"value": 0, "relation": "eq"}, "max_score": null, "hits": []},
	"aggregations": {
		"categories": {"doc_count": 0, "values": {"doc_count_error_upper_bound": 0, "sum_other_doc_count": 0, "buckets": []}},
		"price_ranges": {"doc_count": 0, "buckets": {"buckets": [
			{"key": "0.0-1000.0", "from": 0.0, "to": 1000.0, "doc_count": 0},
			{"key": "1000.0-2500.0", "from": 1000.0, "to": 2500.0, "doc_count": 0},
			{"key": "2500.0-5000.0", "from": 2500.0, "to": 5000.0, "doc_count": 0},
			{"key": "5000.0-10000.0", "from": 5000.0, "to": 10000.0, "doc_count": 0},
			{"key": "10000.0-25000.0", "from": 10000.0, "to": 25000.0, "doc_count": 0},
			{"key": "25000.0-*", "from": 25000.0, "doc_count": 0}]}},
		"in_stock": {"doc_count": 0, "stock": {"buckets": {"in": {"doc_count": 0}, "out": {"doc_count": 0}}}}
	}
}`

func TestSearchPlainListing(t *testing.T) {
	f := newFake(t, reply{"POST /products/_search", 200, emptySearchResponse})
	page, err := f.client(t).SearchProducts(context.Background(), parse(t, url.Values{}))
	require.NoError(t, err)
	body := f.requests()[0].Body
	all := `{"match_all": {}}`
	assertJSON(t, `{
		"query": {"match_all": {}},
		"aggs": `+aggsJSON(all, all, all)+`,
		"sort": [{"name.sort": {"order": "asc"}}, {"id": {"order": "asc"}}],
		"size": 21,
		"track_total_hits": true
	}`, body, "no text, no filter: match_all, no post_filter, no search_after, the default limit")
	assert.Equal(t, shop.ProductPage{Items: []shop.Product{}, Facets: shop.Facets{Categories: []shop.FacetCount{},
		PriceRanges: shop.EmptyPriceRanges()}}, page)
}

func TestSearchSortsAndTheirKeys(t *testing.T) {
	for _, tt := range []struct {
		sort, key, dir string
		cursor         shop.ProductCursor
		after          string
	}{
		{"price_desc", "price_cents", "desc", shop.ProductCursor{Price: new(int64(250))}, `[250, "` + idTeeRed + `"]`},
		{"newest", "created_at", "desc", shop.ProductCursor{Micro: new(int64(1767225600123456))}, `[1767225600123456, "` + idTeeRed + `"]`},
		{"name", "name.sort", "asc", shop.ProductCursor{Name: new("Blue Mug")}, `["Blue Mug", "` + idTeeRed + `"]`},
		{"relevance", "_score", "desc", shop.ProductCursor{Score: new(1.2345678)}, `[1.2345678, "` + idTeeRed + `"]`},
	} {
		t.Run(tt.sort, func(t *testing.T) {
			f := newFake(t, reply{"POST /products/_search", 200, emptySearchResponse})
			tt.cursor.Sort, tt.cursor.ID = shop.Sort(tt.sort), idTeeRed
			q := parse(t, url.Values{"q": {"tee"}, "sort": {tt.sort}, "cursor": {tt.cursor.Encode()}})
			_, err := f.client(t).SearchProducts(context.Background(), q)
			require.NoError(t, err)
			body := f.requests()[0].Body
			assertJSON(t, `[{"`+tt.key+`": {"order": "`+tt.dir+`"}}, {"id": {"order": "`+tt.dir+`"}}]`, field(t, body, "sort"), "sort")
			assertJSON(t, tt.after, field(t, body, "search_after"), "search_after: the cursor's key and id")
		})
	}
}

func TestSearchRelevanceCursorKeepsTheScore(t *testing.T) {
	hit := func(id string, score float64) string {
		s, _ := json.Marshal(score)
		return `{"_index": "products-1", "_id": "` + id + `", "_score": ` + string(s) + `,
			"_source": {"id": "` + id + `", "sku": "S", "name": "N", "description": "", "price_cents": 1, "currency": "USD",
				"stock": 1, "category": "c", "image_url": "", "images": null, "created_at": 1, "version": 1},
			"sort": [` + string(s) + `, "` + id + `"]}`
	}
	resp := `{"hits": {"total": {"value": 2, "relation": "eq"}, "max_score": 2.7725887,
		"hits": [` + hit(idMugTall, 2.7725887) + `, ` + hit(idMugBlue, 0.5753642) + `]}, "aggregations": {}}`
	f := newFake(t, reply{"POST /products/_search", 200, resp})
	page, err := f.client(t).SearchProducts(context.Background(), parse(t, url.Values{"q": {"mug"}, "limit": {"1"}}))
	require.NoError(t, err)
	require.NotNil(t, page.NextCursor)
	assert.Equal(t, shop.ProductCursor{Sort: shop.SortRelevance, Score: new(2.7725887), ID: idMugTall}, decodeCursor(t, *page.NextCursor))
}

func TestSearchErrorStatus(t *testing.T) {
	f := newFake(t, reply{"POST /products/_search", 404, `{"error": {"root_cause": [{"type": "index_not_found_exception",
		"reason": "no such index [products]"}], "type": "index_not_found_exception", "reason": "no such index [products]"},
		"status": 404}`})
	_, err := f.client(t).SearchProducts(context.Background(), parse(t, url.Values{}))
	require.Error(t, err)
	assert.True(t, isStatus(err, 404))
	assert.Contains(t, err.Error(), "index_not_found_exception")
}
