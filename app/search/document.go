package search

import (
	"context"
	"time"

	"github.com/shopstack/shopstack/app/shop"
)

// Document is a product as a search engine indexes it: the product, its version
// (products.version, bumped by every write, so an engine can refuse an older copy) and when it
// was created (the newest sort).
type Document struct {
	shop.Product
	Version   int64
	CreatedAt time.Time
}

// Source reads the documents an engine indexes; postgres.Store implements it.
type Source interface {
	// SearchDocument returns one product's document; an unknown id is shop.CodeNotFound.
	SearchDocument(ctx context.Context, id string) (Document, error)
	// SearchDocuments returns up to limit documents in id order, those after afterID ("" from
	// the start): a full pass over the catalog, page by page.
	SearchDocuments(ctx context.Context, afterID string, limit int) ([]Document, error)
}
