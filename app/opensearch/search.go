package opensearch

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/shopstack/shopstack/app/shop"
)

var _ shop.ProductSearcher = (*Client)(nil)

// nameBoost weighs a name match above a description match, as PostgreSQL's weights A and B do.
const nameBoost = 3

// jsonObj keeps the query builders short.
type jsonObj = map[string]any

// SearchProducts answers a listing or search with one POST /<alias>/_search:
//   - query: the text match alone (match_all without q), so the aggregations see the whole
//     text match;
//   - post_filter: category, price and stock, which narrow the hits and hits.total but not the
//     aggregations;
//   - aggregations: each facet under a filter aggregation of the other facets' filters, so each
//     ignores its own (categories: terms on category; price_ranges: range on price_cents with
//     shop.PriceRangeBounds; in_stock: filters stock > 0 / stock = 0);
//   - sort: the sort's key then id, and search_after the cursor's key and id (keyset);
//   - size Limit+1: the extra hit says whether a next page exists; track_total_hits: exact total.
func (c *Client) SearchProducts(ctx context.Context, q shop.ProductQuery) (shop.ProductPage, error) {
	var res searchResponse
	if err := c.do(ctx, "POST", "/"+c.index+"/_search", searchBody(q), &res); err != nil {
		return shop.ProductPage{}, err
	}
	return res.page(q)
}

func searchBody(q shop.ProductQuery) jsonObj {
	cat, price, stock := filters(q)
	body := jsonObj{
		"query":            textQuery(q.Q),
		"size":             q.Limit + 1,
		"track_total_hits": true,
		"sort":             sortClause(q.Sort),
		"aggs": jsonObj{
			"categories": jsonObj{"filter": all(price, stock),
				"aggs": jsonObj{"values": jsonObj{"terms": jsonObj{"field": "category", "size": 1000}}}},
			"price_ranges": jsonObj{"filter": all(cat, stock),
				"aggs": jsonObj{"buckets": jsonObj{"range": jsonObj{"field": "price_cents", "ranges": priceRanges()}}}},
			"in_stock": jsonObj{"filter": all(cat, price),
				"aggs": jsonObj{"stock": jsonObj{"filters": jsonObj{"filters": jsonObj{
					"in":  jsonObj{"range": jsonObj{"stock": jsonObj{"gt": 0}}},
					"out": jsonObj{"term": jsonObj{"stock": 0}},
				}}}}},
		},
	}
	if f := all(cat, price, stock); f["match_all"] == nil {
		body["post_filter"] = f
	}
	if a := searchAfter(q.After); a != nil {
		body["search_after"] = a
	}
	return body
}

// textQuery matches a product when all the words match its name or description (english
// analyzer; fuzziness AUTO: one edit for 3-5 characters, two from 6, so "zorblt" finds
// "zorblat"), or the words with the last as a prefix do (bool_prefix: "zorb" finds "Zorblat"),
// or the text, upper-cased, begins its SKU.
func textQuery(text string) jsonObj {
	if strings.TrimSpace(text) == "" {
		return jsonObj{"match_all": jsonObj{}}
	}
	fields := []string{"name^" + strconv.Itoa(nameBoost), "description"}
	return jsonObj{"bool": jsonObj{
		"should": []any{
			jsonObj{"multi_match": jsonObj{"query": text, "fields": fields, "type": "best_fields",
				"operator": "and", "fuzziness": "AUTO"}},
			jsonObj{"multi_match": jsonObj{"query": text, "fields": fields, "type": "bool_prefix", "operator": "and"}},
			jsonObj{"prefix": jsonObj{"sku": jsonObj{"value": strings.ToUpper(text)}}},
		},
		"minimum_should_match": 1,
	}}
}

// filters returns the category, price and stock filters; nil where the query has none.
func filters(q shop.ProductQuery) (cat, price, stock jsonObj) {
	if q.Category != "" {
		cat = jsonObj{"term": jsonObj{"category": q.Category}}
	}
	if q.MinPriceCents != nil || q.MaxPriceCents != nil {
		r := jsonObj{}
		if q.MinPriceCents != nil {
			r["gte"] = *q.MinPriceCents
		}
		if q.MaxPriceCents != nil {
			r["lte"] = *q.MaxPriceCents
		}
		price = jsonObj{"range": jsonObj{"price_cents": r}}
	}
	if q.InStock != nil {
		if *q.InStock {
			stock = jsonObj{"range": jsonObj{"stock": jsonObj{"gt": 0}}}
		} else {
			stock = jsonObj{"term": jsonObj{"stock": 0}}
		}
	}
	return cat, price, stock
}

// all is the conjunction of the non-nil filters: match_all when none is set.
func all(fs ...jsonObj) jsonObj {
	var set []any
	for _, f := range fs {
		if f != nil {
			set = append(set, f)
		}
	}
	if len(set) == 0 {
		return jsonObj{"match_all": jsonObj{}}
	}
	return jsonObj{"bool": jsonObj{"filter": set}}
}

// priceRanges are shop.PriceRangeBounds as range-aggregation ranges: from inclusive, to
// exclusive, so a bucket ends one cent below the next bound; the last has no "to".
func priceRanges() []any {
	out := make([]any, len(shop.PriceRangeBounds))
	for i, lo := range shop.PriceRangeBounds {
		r := jsonObj{"from": lo}
		if i+1 < len(shop.PriceRangeBounds) {
			r["to"] = shop.PriceRangeBounds[i+1]
		}
		out[i] = r
	}
	return out
}

// sortClause is the sort's key then the id, in the same directions as PostgreSQL's keyset.
func sortClause(s shop.Sort) []any {
	key, dir := "name.sort", "asc"
	switch s {
	case shop.SortPriceAsc:
		key = "price_cents"
	case shop.SortPriceDesc:
		key, dir = "price_cents", "desc"
	case shop.SortNewest:
		key, dir = "created_at", "desc"
	case shop.SortRelevance:
		key, dir = "_score", "desc"
	}
	return []any{jsonObj{key: jsonObj{"order": dir}}, jsonObj{"id": jsonObj{"order": dir}}}
}

func searchAfter(c *shop.ProductCursor) []any {
	switch {
	case c == nil:
		return nil
	case c.Name != nil:
		return []any{*c.Name, c.ID}
	case c.Price != nil:
		return []any{*c.Price, c.ID}
	case c.Micro != nil:
		return []any{*c.Micro, c.ID}
	case c.Score != nil:
		return []any{*c.Score, c.ID}
	}
	return nil
}

type bucket struct {
	Key      json.RawMessage `json:"key"`
	DocCount int             `json:"doc_count"`
}

// searchResponse is the part of the _search answer the adapter reads.
type searchResponse struct {
	Hits struct {
		Total struct {
			Value int `json:"value"`
		} `json:"total"`
		Hits []struct {
			Source doc               `json:"_source"`
			Sort   []json.RawMessage `json:"sort"`
		} `json:"hits"`
	} `json:"hits"`
	Aggregations struct {
		Categories struct {
			Values struct {
				Buckets []bucket `json:"buckets"`
			} `json:"values"`
		} `json:"categories"`
		PriceRanges struct {
			Buckets struct {
				Buckets []bucket `json:"buckets"`
			} `json:"buckets"`
		} `json:"price_ranges"`
		InStock struct {
			Stock struct {
				Buckets map[string]bucket `json:"buckets"`
			} `json:"stock"`
		} `json:"in_stock"`
	} `json:"aggregations"`
}

func (r *searchResponse) page(q shop.ProductQuery) (shop.ProductPage, error) {
	out := shop.ProductPage{Items: []shop.Product{}, Total: r.Hits.Total.Value}
	out.Facets = r.facets()
	for i, h := range r.Hits.Hits {
		if i == q.Limit {
			last := r.Hits.Hits[i-1]
			c, err := cursor(q.Sort, last.Source, last.Sort)
			if err != nil {
				return shop.ProductPage{}, err
			}
			enc := c.Encode()
			out.NextCursor = &enc
			break
		}
		d := h.Source
		out.Items = append(out.Items, shop.Product{ID: d.ID, SKU: d.SKU, Name: d.Name, Description: d.Description,
			PriceCents: d.PriceCents, Currency: d.Currency, Stock: d.Stock, Category: d.Category, ImageURL: d.ImageURL,
			Images: d.Images})
	}
	return out, nil
}

func (r *searchResponse) facets() shop.Facets {
	a := r.Aggregations
	f := shop.Facets{Categories: []shop.FacetCount{}, PriceRanges: shop.EmptyPriceRanges()}
	for _, b := range a.Categories.Values.Buckets {
		var v string
		if json.Unmarshal(b.Key, &v) == nil && b.DocCount > 0 {
			f.Categories = append(f.Categories, shop.FacetCount{Value: v, Count: b.DocCount})
		}
	}
	shop.SortFacetCounts(f.Categories) // terms orders ties by key too, but say it once, here
	for i, b := range a.PriceRanges.Buckets.Buckets {
		if i < len(f.PriceRanges) {
			f.PriceRanges[i].Count = b.DocCount
		}
	}
	f.InStock.In = a.InStock.Stock.Buckets["in"].DocCount
	f.InStock.Out = a.InStock.Stock.Buckets["out"].DocCount
	return f
}

// cursor is the keyset position of the last hit of a page: its sort values (what search_after
// takes back) as shop.ProductCursor keeps them.
func cursor(s shop.Sort, d doc, sortValues []json.RawMessage) (shop.ProductCursor, error) {
	c := shop.ProductCursor{Sort: s, ID: d.ID}
	if len(sortValues) != 2 {
		return c, fmt.Errorf("opensearch: a hit has %d sort values, want 2", len(sortValues))
	}
	var err error
	switch s {
	case shop.SortName:
		c.Name = new(string)
		err = json.Unmarshal(sortValues[0], c.Name)
	case shop.SortPriceAsc, shop.SortPriceDesc:
		c.Price = new(int64)
		err = json.Unmarshal(sortValues[0], c.Price)
	case shop.SortNewest:
		c.Micro = new(int64)
		err = json.Unmarshal(sortValues[0], c.Micro)
	case shop.SortRelevance:
		c.Score = new(float64)
		err = json.Unmarshal(sortValues[0], c.Score)
	}
	if err != nil {
		return c, fmt.Errorf("opensearch: sort value %s: %w", sortValues[0], err)
	}
	return c, nil
}
