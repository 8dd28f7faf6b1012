package shop

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// ProductSearcher lists and searches the catalog: GET /api/products. postgres.Store implements
// it (the embedded default); another engine can stand in for it as long as it passes the
// contract in package searchtest.
type ProductSearcher interface {
	SearchProducts(ctx context.Context, q ProductQuery) (ProductPage, error)
}

// Sort is the order of a listing.
type Sort string

// The sorts of a listing. Every sort ends in the product id, so keyset pagination is stable.
const (
	SortRelevance Sort = "relevance"  // best match first; needs Q
	SortPriceAsc  Sort = "price_asc"  // cheapest first, then id
	SortPriceDesc Sort = "price_desc" // dearest first, then id descending
	SortName      Sort = "name"       // by name, then id
	SortNewest    Sort = "newest"     // newest first, then id descending
)

// Sorts lists every Sort, in the order the API documents them.
var Sorts = []Sort{SortRelevance, SortPriceAsc, SortPriceDesc, SortName, SortNewest}

// PriceRangeBounds are the lower bounds, in cents, of the price-range facet's buckets: a
// bucket runs from its bound to the next bound minus one cent; the last one is open-ended.
var PriceRangeBounds = []int64{0, 10_00, 25_00, 50_00, 100_00, 250_00}

// ProductQuery is a validated catalog listing or search.
type ProductQuery struct {
	// Q is the shopper's text; empty lists the whole catalog.
	Q        string
	Category string
	// MinPriceCents and MaxPriceCents bound the price, both inclusive; nil is unbounded.
	MinPriceCents, MaxPriceCents *int64
	// InStock, when set, keeps only products with (true) or without (false) stock.
	InStock *bool
	Sort    Sort
	Limit   int
	// After is the keyset position decoded from the cursor: list products after it in Sort.
	After *ProductCursor
}

// ProductPage is one page of a listing, with the size and facets of the whole match.
type ProductPage struct {
	Items      []Product `json:"items"`
	NextCursor *string   `json:"next_cursor"`
	// Total counts every product matching the query, not only this page.
	Total  int    `json:"total"`
	Facets Facets `json:"facets"`
}

// Facets count the whole match by category, price range and stock. Each facet ignores its own
// filter (the category counts ignore Category, the price ranges the price bounds, in_stock
// InStock), so a shopper sees what switching that filter would give.
type Facets struct {
	// Categories holds every category with at least one match, most matches first, then by name.
	Categories []FacetCount `json:"categories"`
	// PriceRanges holds one entry per PriceRangeBounds bucket, in order, zero counts included.
	PriceRanges []PriceRangeCount `json:"price_ranges"`
	InStock     StockCount        `json:"in_stock"`
}

// FacetCount is one value of a facet and how many products have it.
type FacetCount struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// PriceRangeCount is one price bucket: MinCents to MaxCents inclusive (nil: no upper bound).
type PriceRangeCount struct {
	MinCents int64  `json:"min_cents"`
	MaxCents *int64 `json:"max_cents"`
	Count    int    `json:"count"`
}

// StockCount counts products in stock and out of stock.
type StockCount struct {
	In  int `json:"in"`
	Out int `json:"out"`
}

// EmptyPriceRanges returns the PriceRangeBounds buckets with zero counts, for an adapter to fill.
func EmptyPriceRanges() []PriceRangeCount {
	out := make([]PriceRangeCount, len(PriceRangeBounds))
	for i, lo := range PriceRangeBounds {
		out[i].MinCents = lo
		if i+1 < len(PriceRangeBounds) {
			hi := PriceRangeBounds[i+1] - 1
			out[i].MaxCents = &hi
		}
	}
	return out
}

// ProductCursor is the keyset position of a listing: the sort, the last item's sort key and its
// id. Exactly one key field is set, the one Sort uses.
type ProductCursor struct {
	Sort  Sort     `json:"s"`
	Name  *string  `json:"n,omitempty"`
	Price *int64   `json:"p,omitempty"`
	Micro *int64   `json:"t,omitempty"` // created_at, microseconds since the Unix epoch
	Score *float64 `json:"r,omitempty"`
	ID    string   `json:"i"`
}

// Encode returns the opaque cursor string.
func (c ProductCursor) Encode() string {
	b, _ := json.Marshal(c) // strings, integers and a finite float always marshal
	return base64.RawURLEncoding.EncodeToString(b)
}

// valid reports whether the cursor carries exactly the key its sort needs.
func (c ProductCursor) valid() bool {
	if _, ok := ParseID(c.ID); !ok {
		return false
	}
	set := 0
	for _, p := range []bool{c.Name != nil, c.Price != nil, c.Micro != nil, c.Score != nil} {
		if p {
			set++
		}
	}
	if set != 1 {
		return false
	}
	switch c.Sort {
	case SortName:
		return c.Name != nil && len(*c.Name) <= 800
	case SortPriceAsc, SortPriceDesc:
		return c.Price != nil
	case SortNewest:
		return c.Micro != nil
	case SortRelevance:
		return c.Score != nil && !math.IsNaN(*c.Score) && !math.IsInf(*c.Score, 0)
	}
	return false
}

// ParseProductQuery validates the query parameters of GET /api/products. Unknown parameters
// are ignored; a bad one is CodeInvalidInput naming it.
func ParseProductQuery(params url.Values) (ProductQuery, error) {
	var fe fieldErrors
	pq := ProductQuery{Limit: DefaultPageLimit}
	var ok bool
	if pq.Q, ok = parseText(params.Get("q"), 0, 100, false); !ok {
		fe.add("q", "must be at most 100 characters without control characters")
	}
	if c := params.Get("category"); c != "" {
		fe.checkCategory(c)
		pq.Category = c
	}
	pq.MinPriceCents = fe.priceParam(params, "min_price_cents")
	pq.MaxPriceCents = fe.priceParam(params, "max_price_cents")
	if pq.MinPriceCents != nil && pq.MaxPriceCents != nil && *pq.MaxPriceCents < *pq.MinPriceCents {
		fe.add("max_price_cents", "must not be below min_price_cents")
	}
	switch v := params.Get("in_stock"); v {
	case "":
	case "true", "false":
		b := v == "true"
		pq.InStock = &b
	default:
		fe.add("in_stock", "must be true or false")
	}
	pq.Sort = fe.sortParam(params.Get("sort"), pq.Q != "")
	if limit := params.Get("limit"); limit != "" {
		n, err := strconv.Atoi(limit)
		if err != nil || n < 1 || n > MaxPageLimit {
			fe.add("limit", fmt.Sprintf("must be an integer between 1 and %d", MaxPageLimit))
		}
		pq.Limit = n
	}
	if cursor := params.Get("cursor"); cursor != "" {
		var c ProductCursor
		raw, err := base64.RawURLEncoding.DecodeString(cursor)
		if err == nil {
			err = DecodeJSON(raw, &c)
		}
		switch {
		case err != nil || !c.valid():
			fe.add("cursor", "must be a next_cursor value returned by this endpoint")
		case c.Sort != pq.Sort:
			fe.add("cursor", "belongs to another sort; start again without a cursor")
		default:
			pq.After = &c
		}
	}
	return pq, fe.err()
}

func (f *fieldErrors) priceParam(params url.Values, name string) *int64 {
	v := params.Get(name)
	if v == "" {
		return nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 || n > MaxPriceCents {
		f.add(name, fmt.Sprintf("must be an integer between 0 and %d", int64(MaxPriceCents)))
		return nil
	}
	return &n
}

// sortParam applies the default (relevance with a text query, else name) and checks the value.
func (f *fieldErrors) sortParam(v string, hasQ bool) Sort {
	if v == "" {
		if hasQ {
			return SortRelevance
		}
		return SortName
	}
	for _, s := range Sorts {
		if Sort(v) != s {
			continue
		}
		if s == SortRelevance && !hasQ {
			f.add("sort", "relevance needs a search text q")
		}
		return s
	}
	f.add("sort", "must be one of relevance, price_asc, price_desc, name, newest")
	return SortName
}

// SortFacetCounts orders facet values as Facets documents: most matches first, then by value.
func SortFacetCounts(c []FacetCount) {
	slices.SortFunc(c, func(a, b FacetCount) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return strings.Compare(a.Value, b.Value)
	})
}
