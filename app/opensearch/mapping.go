package opensearch

import (
	"github.com/shopstack/shopstack/app/search"
	"github.com/shopstack/shopstack/app/shop"
)

// doc is a product as the index stores it (_source). created_at is microseconds since the Unix
// epoch, a long: the newest sort's cursor carries microseconds, and a date field would sort
// and search_after in milliseconds. images is the picture's variants (shop.ProductImages) or
// null, kept only to be handed back with the hit.
type doc struct {
	ID          string              `json:"id"`
	SKU         string              `json:"sku"`
	Name        string              `json:"name"`
	Description string              `json:"description"`
	PriceCents  int64               `json:"price_cents"`
	Currency    string              `json:"currency"`
	Stock       int                 `json:"stock"`
	Category    string              `json:"category"`
	ImageURL    string              `json:"image_url"`
	Images      *shop.ProductImages `json:"images"`
	CreatedAt   int64               `json:"created_at"`
	Version     int64               `json:"version"`
}

func toDoc(d search.Document) doc {
	p := d.Product
	return doc{ID: p.ID, SKU: p.SKU, Name: p.Name, Description: p.Description, PriceCents: p.PriceCents,
		Currency: p.Currency, Stock: p.Stock, Category: p.Category, ImageURL: p.ImageURL,
		Images: p.Images, CreatedAt: d.CreatedAt.UnixMicro(), Version: d.Version}
}

// indexDefinition is the body of PUT /<index>: the explicit mapping (dynamic "strict": a field
// the mapping lacks is an error, never a guessed type). name and description are text under the
// built-in "english" analyzer (lower case, stop words, possessives, Porter stemming), so
// "shirts" finds "T-Shirt" and "runs" finds "Running"; name also has a keyword subfield for the
// name sort. The query weighs name above description (nameBoost). sku, category and id are
// keywords (SKU prefixes, the category filter and facet, the id tie-break); price_cents, stock,
// created_at and version are numbers. images is an object with "enabled": false: kept in
// _source and returned with the hits, never parsed or indexed (nothing searches, sorts or
// filters on a picture URL), so null and every variant shop.ProductImages may gain are accepted
// under "strict" without a new mapping.
func indexDefinition() map[string]any {
	kw := map[string]any{"type": "keyword"}
	stored := map[string]any{"type": "keyword", "index": false, "doc_values": false}
	return map[string]any{
		"settings": map[string]any{"index": map[string]any{"number_of_shards": 1, "refresh_interval": "1s"}},
		"mappings": map[string]any{
			"dynamic": "strict",
			"properties": map[string]any{
				"id":  kw,
				"sku": kw,
				"name": map[string]any{"type": "text", "analyzer": "english",
					"fields": map[string]any{"sort": map[string]any{"type": "keyword"}}},
				"description": map[string]any{"type": "text", "analyzer": "english"},
				"price_cents": map[string]any{"type": "long"},
				"currency":    stored,
				"stock":       map[string]any{"type": "integer"},
				"category":    kw,
				"image_url":   stored,
				"images":      map[string]any{"type": "object", "enabled": false},
				"created_at":  map[string]any{"type": "long"},
				"version":     map[string]any{"type": "long"},
			},
		},
	}
}
