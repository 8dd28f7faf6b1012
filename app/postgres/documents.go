package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/shopstack/shopstack/app/search"
	"github.com/shopstack/shopstack/app/shop"
)

var _ search.Source = (*Store)(nil)

const documentColumns = productColumns + ", version, created_at"

func scanDocument(row pgx.Row) (search.Document, error) {
	var d search.Document
	p := &d.Product
	err := row.Scan(&p.ID, &p.SKU, &p.Name, &p.Description, &p.PriceCents, &p.Currency, &p.Stock, &p.Category,
		&p.ImageURL, &p.Images, &d.Version, &d.CreatedAt)
	return d, err
}

// SearchDocument returns the product with its version and creation time, for a search engine.
func (s *Store) SearchDocument(ctx context.Context, id string) (search.Document, error) {
	d, err := scanDocument(s.pool.QueryRow(ctx, "SELECT "+documentColumns+" FROM products WHERE id = $1", id))
	if errors.Is(err, pgx.ErrNoRows) {
		return search.Document{}, shop.Errorf(shop.CodeNotFound, "no product with this id")
	}
	return d, mapError("search document", err)
}

// SearchDocuments returns up to limit documents with an id above afterID, in id order.
func (s *Store) SearchDocuments(ctx context.Context, afterID string, limit int) ([]search.Document, error) {
	if afterID == "" {
		afterID = "00000000-0000-0000-0000-000000000000"
	}
	rows, err := s.pool.Query(ctx, "SELECT "+documentColumns+" FROM products WHERE id > $1::uuid ORDER BY id LIMIT $2",
		afterID, limit)
	if err != nil {
		return nil, mapError("search documents", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (search.Document, error) { return scanDocument(r) })
	return out, mapError("search documents", err)
}
