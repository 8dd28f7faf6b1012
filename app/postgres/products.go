package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/shopstack/shopstack/app/shop"
)

const productColumns = "id::text, sku, name, description, price_cents, currency, stock, category, image_url, images"

func scanProduct(row pgx.Row) (shop.Product, error) {
	var p shop.Product
	err := row.Scan(&p.ID, &p.SKU, &p.Name, &p.Description, &p.PriceCents, &p.Currency, &p.Stock, &p.Category, &p.ImageURL, &p.Images)
	return p, err
}

// writeProduct runs one product write (a statement returning productColumns and version) in a
// transaction with its search_index job: the job commits with the write or not at all.
func (s *Store) writeProduct(ctx context.Context, sql string, args ...any) (shop.Product, error) {
	var p shop.Product
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var version int64
		err := tx.QueryRow(ctx, sql, args...).Scan(&p.ID, &p.SKU, &p.Name, &p.Description, &p.PriceCents,
			&p.Currency, &p.Stock, &p.Category, &p.ImageURL, &p.Images, &version)
		if err != nil {
			return err
		}
		return s.enqueueIndex(ctx, tx, p.ID, version)
	})
	return p, err
}

// GetProduct returns one product with its live stock.
func (s *Store) GetProduct(ctx context.Context, id string) (shop.Product, error) {
	p, err := scanProduct(s.pool.QueryRow(ctx, "SELECT "+productColumns+" FROM products WHERE id = $1", id))
	if errors.Is(err, pgx.ErrNoRows) {
		return shop.Product{}, shop.Errorf(shop.CodeNotFound, "no product with this id")
	}
	return p, mapError("get product", err)
}

// CreateProduct inserts a product; a taken SKU is shop.CodeSKUTaken.
func (s *Store) CreateProduct(ctx context.Context, np shop.NewProduct) (shop.Product, error) {
	p, err := s.writeProduct(ctx, `
		INSERT INTO products (sku, name, description, price_cents, currency, stock, category, image_url)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (sku) DO NOTHING
		RETURNING `+productColumns+", version",
		np.SKU, np.Name, np.Description, np.PriceCents, np.Currency, np.Stock, np.Category, np.ImageURL)
	if errors.Is(err, pgx.ErrNoRows) {
		return shop.Product{}, shop.Errorf(shop.CodeSKUTaken, "a product with SKU %s already exists", np.SKU)
	}
	return p, mapError("create product", err)
}

// UpdateProduct changes the given fields of a product.
func (s *Store) UpdateProduct(ctx context.Context, id string, pp shop.ProductPatch) (shop.Product, error) {
	p, err := s.writeProduct(ctx, `
		UPDATE products SET
			name        = coalesce($2, name),
			description = coalesce($3, description),
			price_cents = coalesce($4, price_cents),
			category    = coalesce($5, category),
			image_url   = coalesce($6, image_url),
			updated_at  = now(),
			version     = version + 1
		WHERE id = $1
		RETURNING `+productColumns+", version",
		id, pp.Name, pp.Description, pp.PriceCents, pp.Category, pp.ImageURL)
	if errors.Is(err, pgx.ErrNoRows) {
		return shop.Product{}, shop.Errorf(shop.CodeNotFound, "no product with this id")
	}
	return p, mapError("update product", err)
}

// AdjustStock is AdjustStockBy with no actor and shop.UnspecifiedReason.
func (s *Store) AdjustStock(ctx context.Context, id string, delta int) (shop.Product, error) {
	return s.AdjustStockBy(ctx, id, shop.StockAdjustment{Delta: delta, Reason: shop.UnspecifiedReason})
}

// AdjustStockBy adds adj.Delta (which may be negative) to a product's stock in one conditional
// statement, so it composes with concurrent orders: it never takes stock below zero. The same
// statement records the movement (who, why, the stock after it).
func (s *Store) AdjustStockBy(ctx context.Context, id string, adj shop.StockAdjustment) (shop.Product, error) {
	var actor *string
	if adj.ActorID != "" {
		actor = &adj.ActorID
	}
	delta := adj.Delta
	p, err := s.writeProduct(ctx, `
		WITH p AS (
			UPDATE products SET stock = stock + $2, updated_at = now(), version = version + 1
			WHERE id = $1 AND stock + $2 BETWEEN 0 AND $3
			RETURNING `+productColumns+`, version
		), m AS (
			INSERT INTO stock_movements (product_id, delta, reason, actor_id, stock_after)
			SELECT p.id::uuid, $2, $4, $5, p.stock FROM p
		)
		SELECT * FROM p`, id, delta, shop.MaxStock, adj.Reason, actor)
	if !errors.Is(err, pgx.ErrNoRows) {
		return p, mapError("adjust stock", err)
	}
	var stock int
	err = s.pool.QueryRow(ctx, "SELECT stock FROM products WHERE id = $1", id).Scan(&stock)
	if errors.Is(err, pgx.ErrNoRows) {
		return shop.Product{}, shop.Errorf(shop.CodeNotFound, "no product with this id")
	}
	if err != nil {
		return shop.Product{}, mapError("adjust stock", err)
	}
	if delta < 0 {
		return shop.Product{}, &shop.Error{Code: shop.CodeStockWouldGoNegative,
			Message: fmt.Sprintf("stock is %d; removing %d would take it below zero", stock, -delta),
			Details: map[string]int{"stock": stock, "delta": delta}}
	}
	return shop.Product{}, &shop.Error{Code: shop.CodeInvalidInput,
		Message: fmt.Sprintf("stock is %d; adding %d would exceed the maximum of %d", stock, delta, shop.MaxStock),
		Details: []shop.FieldError{{Field: "delta", Problem: "too large for the current stock"}}}
}

// SeedProducts inserts the products whose SKU does not exist yet and returns how many it added.
// Existing products and their stock are left alone, so re-running it is harmless, with one
// exception: a product whose image URL is still one of its FormerImageURLs gets the current
// ImageURL (imagesUpdated counts them). An image URL an admin set is never overwritten.
func (s *Store) SeedProducts(ctx context.Context, products []shop.SeedProduct) (added, imagesUpdated int, err error) {
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		added, imagesUpdated = 0, 0
		for _, p := range products {
			var id string
			var version int64
			err := tx.QueryRow(ctx, `
				INSERT INTO products (sku, name, description, price_cents, currency, stock, category, image_url)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
				ON CONFLICT (sku) DO NOTHING
				RETURNING id::text, version`,
				p.SKU, p.Name, p.Description, p.PriceCents, p.Currency, p.Stock, p.Category, p.ImageURL).Scan(&id, &version)
			if err == nil {
				added++
				if err := s.enqueueIndex(ctx, tx, id, version); err != nil {
					return err
				}
			} else if !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
			if len(p.FormerImageURLs) == 0 {
				continue
			}
			err = tx.QueryRow(ctx, `
				UPDATE products SET image_url = $2, updated_at = now(), version = version + 1
				WHERE sku = $1 AND image_url = ANY($3::text[])
				RETURNING id::text, version`,
				p.SKU, p.ImageURL, p.FormerImageURLs).Scan(&id, &version)
			if errors.Is(err, pgx.ErrNoRows) {
				continue
			}
			if err != nil {
				return err
			}
			imagesUpdated++
			if err := s.enqueueIndex(ctx, tx, id, version); err != nil {
				return err
			}
		}
		return nil
	})
	return added, imagesUpdated, mapError("seed products", err)
}
